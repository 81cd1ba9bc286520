"""Pattern rules for languages other than Python and for deploy/worker configuration.

The rules live in YAML packs (``rules/patterns/packs/*.yaml``, shipped in the wheel): one pack per
language or file family, each naming the files it reads, the lexer that blanks their comments
and strings, and its rules with their documentation. A rule either lists regular-expression
patterns (matched on added lines, or on removed lines for "safeguard removed" rules), or names a
structural ``check`` written in Python (``patterns.checks``) for what a line regex cannot see:
a read earlier in the same function, old and new values of a setting, a Kubernetes manifest.

Speed: a file is first matched by extension or file name (a dict lookup), then each pack's
lower-case keywords are looked for in the changed lines as plain substrings; only then is the
file's text read from git, lexed and matched with regular expressions.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator, Sequence

from ...git import pathglob
from ...errors import ConfigError
from ...git.model import CATEGORIES, QUESTION_IDS, SEVERITIES, Finding
from ...util.plain import Frozen, Plain
from ..base import DOC_SECTIONS, FileContext, Rule
from ..not_analysed import unread_code
from ..paths import deployed_path, is_test_or_doc
from ..realigned import realigned, rebound
from .lex import Lexed, lex, lexers

PACKS_PACKAGE = "deploycheck.rules.patterns.packs"
MAX_VALUE_CHARS = 60  # values quoted in messages come from the analysed file: keep them short


class PackError(ConfigError):
    """A shipped pattern pack is malformed (a bug in deploycheck, caught by the test suite)."""


# --- the pack model -------------------------------------------------------------------------


class Pattern(Frozen):
    _fields = ("regex", "contains", "in_strings", "requires", "excludes", "message", "statement", "typed_atomics")

    def __init__(
        self,
        regex: re.Pattern[str],
        contains: tuple[str, ...],  # lower-case plain substrings; the raw line must hold one of them
        in_strings: bool = False,  # match the text with string literals kept (comments still blank)
        requires: tuple[re.Pattern[str], ...] = (),  # one must match the file's text (strings kept)
        excludes: tuple[re.Pattern[str], ...] = (),  # none may match the file's text
        message: str | None = None,  # overrides the rule's message
        statement: bool = False,  # match the method chain the line is part of, its lines joined
        typed_atomics: bool = False,  # Go: count a typed atomic's method calls as the pattern's (`n.Add(1)`)
    ) -> None:
        self.regex, self.contains, self.in_strings = regex, contains, in_strings
        self.requires, self.excludes, self.message = requires, excludes, message
        self.statement, self.typed_atomics = statement, typed_atomics

    @property
    def end_anchored(self) -> bool:
        # `…\s*$` would fail on the raw line when a comment follows: such patterns skip the
        # raw-line pre-check.
        return "$" in self.regex.pattern


class PackRule(Frozen):
    _fields = (
        "rule", "side", "patterns", "paths", "contains", "message", "messages", "only_if_fewer_in_head", "check",
        "aliases", "skip_paths", "not_in_deleted_files",
    )

    def __init__(
        self,
        rule: Rule,
        side: str,  # "head": added lines; "base": removed lines
        patterns: tuple[Pattern, ...],
        paths: tuple[str, ...],  # globs narrowing the pack's files
        contains: tuple[str, ...],  # keywords for the pre-filter (patterns' plus the check's)
        message: str,
        messages: dict[str, str],  # setting rules: "changed", "added", "removed"
        only_if_fewer_in_head: bool,  # safeguard rules: the token really went away, it did not move
        check: str | None,
        aliases: dict[str, str],  # setting rules: other spellings of the same setting
        skip_paths: tuple[str, ...] = (),  # globs of the pack's files this rule does not read
        not_in_deleted_files: bool = False,  # a deleted file took what the rule reads with it
    ) -> None:
        self.rule, self.side, self.patterns, self.paths, self.contains = rule, side, patterns, paths, contains
        self.message, self.messages, self.only_if_fewer_in_head = message, messages, only_if_fewer_in_head
        self.check, self.aliases, self.skip_paths = check, aliases, skip_paths
        self.not_in_deleted_files = not_in_deleted_files


class FileSelector(Frozen):
    _fields = ("extensions", "names", "lexer")

    def __init__(self, extensions: tuple[str, ...], names: tuple[str, ...], lexer: str) -> None:
        self.extensions = extensions
        self.names = names  # fnmatch globs on the file name
        self.lexer = lexer


class Pack(Plain):
    _fields = ("name", "selectors", "rules", "keywords")
    # Compared and hashed by identity: packs are loaded once.
    __eq__ = object.__eq__
    __hash__ = object.__hash__  # type: ignore[assignment]  # hashable again, unlike Plain

    def __init__(
        self, name: str, selectors: tuple[FileSelector, ...], rules: tuple[PackRule, ...], keywords: tuple[str, ...] = ()
    ) -> None:
        self.name, self.selectors, self.rules, self.keywords = name, selectors, rules, keywords


# --- loading and validating packs -----------------------------------------------------------

_PACK_KEYS = ("pack", "description", "shared", "files", "rules")
_SELECTOR_KEYS = ("extensions", "names", "lexer")
_RULE_KEYS = (
    "id", "name", "category", "severity", "questions", "summary", "languages", *DOC_SECTIONS,
    "side", "paths", "skip_paths", "patterns", "message", "messages", "only_if_fewer_in_head", "check", "contains",
    "aliases", "not_in_deleted_files",
)
_PATTERN_KEYS = ("regex", "contains", "in_strings", "requires", "excludes", "message", "statement", "typed_atomics")
_MESSAGE_KEYS = ("changed", "added", "removed")
_ID = re.compile(r"^DC\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OWNED_RANGES = ((150, 199), (250, 299), (350, 399), (450, 499), (500, 599))


def _regex(text: str, source: str, node: Any) -> re.Pattern[str]:
    from ...util.yamlload import where

    try:
        return re.compile(text)
    except re.error as exc:
        raise PackError(f"{where(source, node)}: invalid regular expression ({exc}).") from None


def parse_pack(data: bytes | str, source: str) -> Pack:
    """Parse and validate one pack. Every problem is a PackError naming the file and line."""
    from ...util import yamlload as y

    def err(node: Any, text: str) -> PackError:
        return PackError(f"{y.where(source, node)}: {text}")

    root = y.compose(data, source, error=PackError)
    top = y.as_map(root, source, "a pattern pack", _PACK_KEYS, ("pack", "files", "rules"), error=PackError)
    name = y.as_str(top["pack"], source, "pack", allow_empty=False, error=PackError)
    # Named regexes that patterns refer to as "$name" in requires/excludes (YAML aliases are
    # refused by the strict loader, so repetition is factored out this way instead).
    shared_nodes = y.optional(top, "shared", lambda n: y.as_map(n, source, "shared", error=PackError), {})
    shared = {key: _regex(y.as_str(node, source, key, allow_empty=False, error=PackError), source, node) for key, node in shared_nodes.items()}
    selectors = []
    for node in y.as_list(top["files"], source, "files", error=PackError):
        sel = y.as_map(node, source, "a files entry", _SELECTOR_KEYS, ("lexer",), error=PackError)
        lexer = y.as_str(sel["lexer"], source, "lexer", error=PackError)
        if lexer not in lexers():
            raise err(sel["lexer"], f"unknown lexer '{lexer}'; use one of {', '.join(lexers())}.")
        exts = tuple(e.lower() for e in y.optional(sel, "extensions", lambda n: y.as_str_list(n, source, "extensions", error=PackError), []))
        for ext, ext_node in zip(exts, sel["extensions"].value if "extensions" in sel else []):
            if not ext.startswith("."):
                raise err(ext_node, f"extension '{ext}' must start with a dot.")
        names = tuple(y.optional(sel, "names", lambda n: y.as_str_list(n, source, "names", error=PackError), []))
        if not exts and not names:
            raise err(node, "a files entry needs extensions or names.")
        selectors.append(FileSelector(exts, names, lexer))
    rules = []
    for node in y.as_list(top["rules"], source, "rules", error=PackError):
        rules.append(_parse_rule(node, source, name, err, shared))
    if not rules:
        raise err(top["rules"], "a pack needs at least one rule.")
    keywords = tuple(sorted({k for r in rules for k in r.contains}))
    return Pack(name, tuple(selectors), tuple(rules), keywords)


def _parse_rule(
    node: Any, source: str, pack: str, err: Callable[[Any, str], PackError], shared: dict[str, re.Pattern[str]]
) -> PackRule:
    from ...util import yamlload as y

    def regexes(key: str, m: dict[str, Any]) -> tuple[re.Pattern[str], ...]:
        out = []
        for text in strs(key, m):
            if text.startswith("$"):
                if text[1:] not in shared:
                    raise err(m[key], f"'{text}' does not name an entry of 'shared'.")
                out.append(shared[text[1:]])
            else:
                out.append(_regex(text, source, m[key]))
        return tuple(out)

    def s(key: str, m: dict[str, Any]) -> str:
        return y.as_str(m[key], source, key, allow_empty=False, error=PackError)

    def strs(key: str, m: dict[str, Any]) -> list[str]:
        return y.optional(m, key, lambda n: y.as_str_list(n, source, key, error=PackError), [])

    required = ("id", "name", "category", "severity", "questions", "summary", *DOC_SECTIONS, "message")
    m = y.as_map(node, source, "a rule", _RULE_KEYS, required, error=PackError)
    rule_id = s("id", m)
    if not _ID.match(rule_id) or not any(lo <= int(rule_id[2:]) <= hi for lo, hi in OWNED_RANGES):
        raise err(m["id"], f"rule id '{rule_id}' is not DC + three digits in this family's ranges {OWNED_RANGES}.")
    name = s("name", m)
    if not _NAME.match(name):
        raise err(m["name"], f"rule name '{name}' must be kebab-case.")
    category, severity = s("category", m), s("severity", m)
    if category not in CATEGORIES:
        raise err(m["category"], f"category '{category}' is not one of {', '.join(CATEGORIES)}.")
    if severity not in SEVERITIES:
        raise err(m["severity"], f"severity '{severity}' is not one of {', '.join(SEVERITIES)}.")
    questions = tuple(strs("questions", m))
    for q in questions:
        if q not in QUESTION_IDS:
            raise err(m["questions"], f"question id '{q}' is not one of {', '.join(QUESTION_IDS)}.")
    side = y.optional(m, "side", lambda n: y.as_str(n, source, "side", error=PackError), "head")
    if side not in ("head", "base"):
        raise err(m["side"], "side must be 'head' (added lines) or 'base' (removed lines).")
    patterns = []
    for pnode in y.optional(m, "patterns", lambda n: y.as_list(n, source, "patterns", error=PackError), []):
        p = y.as_map(pnode, source, "a pattern", _PATTERN_KEYS, ("regex", "contains"), error=PackError)
        contains = tuple(strs("contains", p))
        if not contains or any(c != c.lower() or not c for c in contains):
            raise err(p["contains"], "contains must list at least one lower-case substring for the pre-filter.")
        patterns.append(
            Pattern(
                regex=_regex(s("regex", p), source, p["regex"]),
                contains=contains,
                in_strings=y.optional(p, "in_strings", lambda n: y.as_bool(n, source, "in_strings", error=PackError), False),
                requires=regexes("requires", p),
                excludes=regexes("excludes", p),
                message=y.optional(p, "message", lambda n: y.as_str(n, source, "message", error=PackError)),
                statement=y.optional(p, "statement", lambda n: y.as_bool(n, source, "statement", error=PackError), False),
                typed_atomics=y.optional(p, "typed_atomics", lambda n: y.as_bool(n, source, "typed_atomics", error=PackError),
                                         False),
            )
        )
    check = y.optional(m, "check", lambda n: y.as_str(n, source, "check", error=PackError))
    if check is not None:
        from .checks import CHECKS

        if check not in CHECKS:
            raise err(m["check"], f"unknown check '{check}'; known: {', '.join(sorted(CHECKS))}.")
    if not patterns and check is None:
        raise err(node, f"rule {rule_id} needs patterns or a check.")
    extra = tuple(strs("contains", m))
    if check is not None and not extra:
        raise err(node, f"rule {rule_id} has a check, so it needs 'contains' keywords for the pre-filter.")
    messages = y.optional(m, "messages", lambda n: y.as_map(n, source, "messages", _MESSAGE_KEYS, error=PackError), {})
    aliases = y.optional(m, "aliases", lambda n: y.as_map(n, source, "aliases", error=PackError), {})
    docs = {key: s(key, m).strip() for key in DOC_SECTIONS}
    rule = Rule(
        id=rule_id,
        name=name,
        category=category,
        severity=severity,
        questions=questions,
        summary=s("summary", m),
        languages=tuple(strs("languages", m)) or (pack,),
        **docs,
    )
    return PackRule(
        rule=rule,
        side=side,
        patterns=tuple(patterns),
        paths=tuple(strs("paths", m)),
        skip_paths=tuple(strs("skip_paths", m)),
        contains=tuple(sorted({*extra, *(c for p in patterns for c in p.contains)})),
        message=s("message", m),
        messages={k: y.as_str(v, source, k, error=PackError) for k, v in messages.items()},
        only_if_fewer_in_head=y.optional(m, "only_if_fewer_in_head", lambda n: y.as_bool(n, source, "only_if_fewer_in_head", error=PackError), False),
        check=check,
        aliases={k.lower(): y.as_str(v, source, k, error=PackError).lower() for k, v in aliases.items()},
        not_in_deleted_files=y.optional(m, "not_in_deleted_files",
                                        lambda n: y.as_bool(n, source, "not_in_deleted_files", error=PackError), False),
    )


def pack_names() -> list[str]:
    from importlib.resources import files

    return sorted(p.name for p in files(PACKS_PACKAGE).iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=None)
def load_packs() -> tuple[Pack, ...]:
    # From packs/compiled.json for every pack whose YAML is unchanged (no YAML at start-up),
    # parsed from YAML otherwise; see patterns.cache.
    from .cache import load_all

    packs = load_all()
    seen: dict[str, str] = {}
    for pack in packs:
        for pr in pack.rules:
            if pr.rule.id in seen:
                raise PackError(f"rule {pr.rule.id} is defined in both {seen[pr.rule.id]} and {pack.name}.")
            seen[pr.rule.id] = pack.name
    return tuple(packs)


class _Dispatch:
    def __init__(
        self,
        by_extension: dict[str, tuple[tuple[Pack, str], ...]],
        by_name: tuple[tuple[re.Pattern[str], Pack, str], ...],
        any_name: re.Pattern[str],  # all name globs in one regex: one test for most files
        any_path: re.Pattern[str] | None,  # the globs with a folder, matched against the path
    ) -> None:
        self.by_extension, self.by_name, self.any_name, self.any_path = by_extension, by_name, any_name, any_path


@lru_cache(maxsize=None)
def _dispatch() -> _Dispatch:
    by_ext: dict[str, list[tuple[Pack, str]]] = {}
    by_name = []
    for pack in load_packs():
        for sel in pack.selectors:
            for ext in sel.extensions:
                by_ext.setdefault(ext, []).append((pack, sel.lexer))
            for glob in sel.names:
                # A name with a folder (`config/deploy/*.rb`) is matched against the path's end.
                regex = "(?:.*/)?" + fnmatch.translate(glob).replace(".*", "[^/]*") if "/" in glob else fnmatch.translate(glob)
                by_name.append((re.compile(regex, re.IGNORECASE), pack, sel.lexer))
    any_name = re.compile("|".join(f"(?:{r.pattern})" for r, _, _ in by_name if "/" not in r.pattern) or "(?!)", re.IGNORECASE)
    with_folder = [r.pattern for r, _, _ in by_name if "/" in r.pattern]
    any_path = re.compile("|".join(f"(?:{r})" for r in with_folder), re.IGNORECASE) if with_folder else None
    deduped = {ext: tuple({p.name: (p, lexer) for p, lexer in reversed(v)}.values())[::-1] for ext, v in by_ext.items()}
    return _Dispatch(deduped, tuple(by_name), any_name, any_path)


def packs_for(path: str) -> tuple[tuple[Pack, str], ...]:
    """The packs (and the lexer each uses) that read ``path``; the first selector of a pack wins.

    Called for every changed file, so it is a dict lookup and, for file names that some pack
    lists, one regular expression."""
    d = _dispatch()
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    found = d.by_extension.get(base[dot:].lower(), ()) if dot > 0 else ()
    if not d.any_name.match(base) and not (d.any_path is not None and d.any_path.match(path)):
        return found
    out = list(found) + [(pack, lexer) for regex, pack, lexer in d.by_name
                         if regex.match(path if "/" in regex.pattern else base)]
    chosen: dict[str, tuple[Pack, str]] = {}
    for pack, lexer in out:
        chosen.setdefault(pack.name, (pack, lexer))
    return tuple(chosen.values())


# --- the view a rule looks through ----------------------------------------------------------


class _NotRead(Exception):
    """The head of a code file is too large to read whole: rules/not_analysed.py reports it
    (DC001), so the packs stop rather than run line regexes over its changed lines alone (one
    9 MB line cost seconds there)."""


class FileView:
    """One changed file as a pack sees it: lexed whole-file text on each side, read lazily."""

    def __init__(self, ctx: FileContext, lexer: str) -> None:
        self.ctx = ctx
        self.path = ctx.path  # where findings point
        self.deployed = deployed_path(ctx.path)  # what rules read it as (a template as its copy)
        self.lexer = lexer
        self._lexed: dict[str, Lexed | None] = {}

    def lexed(self, side: str) -> Lexed | None:
        if side not in self._lexed:
            lexed = self.ctx.lexed(side, self.lexer)
            if lexed is None and side == "head" and unread_code(self.ctx):
                raise _NotRead
            self._lexed[side] = lexed
        return self._lexed[side]

    def changed(self, side: str) -> dict[int, str]:
        return self.ctx.added if side == "head" else self.ctx.removed

    def lines(self, side: str, *, strings: bool = False) -> list[str] | None:
        """All lines of one side (index 0 is line 1), blanked; None when the text is unavailable."""
        lexed = self.lexed(side)
        if lexed is None:
            return None
        key = ("patterns.lines", self.lexer, side, strings)
        if key not in self.ctx.cache:
            self.ctx.cache[key] = lexed.nocomment_lines() if strings else lexed.code_lines()
        return self.ctx.cache[key]

    def text(self, side: str, *, strings: bool = False) -> str:
        lexed = self.lexed(side)
        if lexed is None:  # whole text unavailable (too large): the changed lines are all we have
            return lex("\n".join(self.changed(side).values()), self.lexer).nocomment if strings else lex(
                "\n".join(self.changed(side).values()), self.lexer
            ).code
        return lexed.nocomment if strings else lexed.code

    def line(self, side: str, number: int, *, strings: bool = False) -> str:
        lines = self.lines(side, strings=strings)
        if lines is not None and 1 <= number <= len(lines):
            return lines[number - 1]
        raw = self.changed(side).get(number, "")
        lexed = lex(raw, self.lexer)  # without the whole file: lex the line on its own
        return lexed.nocomment if strings else lexed.code

    def in_job_paths(self) -> bool:
        globs = self.ctx.settings.job_paths
        return bool(globs) and pathglob.matches(self.deployed, globs)


def short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def consequence(old: str | None, new: str | None) -> str:
    """What a change of a concurrency number means for jobs, in one clause."""
    o, n = _number(old), _number(new)
    if n is not None and o is None:
        if old is None:
            return "up to {0:g} jobs may run at the same time.".format(n) if n > 1 else "jobs will run one at a time."
    if o is not None and n is not None:
        if o <= 1 < n:
            return "jobs that were serialised will now run in parallel."
        if n > o:
            return "more jobs will now run at the same time."
        if n < o:
            if n <= 1:
                return "jobs will now run one at a time, which changes throughput and any timing the code relies on."
            return "fewer jobs will run at the same time, which changes throughput and timing."
    return "the way jobs run at the same time changes."


def render(template: str, **values: Any) -> str:
    """Fill a message template from a pack; unknown placeholders are left as written."""

    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep(values))


# --- matching -------------------------------------------------------------------------------


def _pattern_applies(view: FileView, pattern: Pattern, side: str) -> bool:
    if not pattern.requires and not pattern.excludes:
        return True
    key = ("patterns.applies", id(pattern), side)
    if key not in view.ctx.cache:
        text = view.text(side, strings=True)
        ok = not pattern.requires or any(r.search(text) for r in pattern.requires)
        view.ctx.cache[key] = ok and not any(r.search(text) for r in pattern.excludes)
    return view.ctx.cache[key]


def _count(view: FileView, side: str, pattern: Pattern) -> int:
    text = view.text(side, strings=pattern.in_strings)
    return len(pattern.regex.findall(text)) + (_typed_atomic_calls(text) if pattern.typed_atomics else 0)


# Go 1.19's typed atomics: `failedCount atomic.Uint32` then `failedCount.Add(1)` does what
# `atomic.AddUint32(&failedCnt, 1)` did, and a move to them removes no atomic operation (kopia's
# blob retention, a new user's trial, session 38: five DC357 highs). A method call on a name the
# file declares with such a type counts as one.
_TYPED_ATOMIC = r"atomic\.(?:Int32|Int64|Uint32|Uint64|Uintptr|Bool|Value|Pointer\[[^\]\n]*\])"
_TYPED_ATOMIC_NAME = re.compile(rf"\b(\w+(?:[ \t]*,[ \t]*\w+)*)[ \t]+\*?{_TYPED_ATOMIC}"  # `a, b atomic.Uint32`
                                rf"|\b(\w+)\s*:?=\s*(?:&|new\()\s*{_TYPED_ATOMIC}")


def _typed_atomic_calls(text: str) -> int:
    names = {name.strip() for a, b in _TYPED_ATOMIC_NAME.findall(text) for name in (a or b).split(",")}
    if not names:
        return 0
    calls = re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(names)))})\.(?:Add|Load|Store|Swap|CompareAndSwap|And|Or)\(")
    return len(calls.findall(text))


def _normalise_value(value: str) -> str:
    text = value.strip().strip(",;").strip().strip("'\"").strip()
    # A value that opens a bracket and goes on below (`countdown=(` then a conditional on the next
    # lines): "(was ()" told a new user's trial nothing (session 25).
    return "a value written over several lines" if text in ("(", "[", "{") else text


def _written_key(match: re.Match[str]) -> str:
    """The setting's name as written: the first matched group named ``key``, ``key_b``, …
    (a pattern may spell the same setting in several forms, e.g. ``x = 1`` and ``'x': 1``)."""
    for name, value in match.groupdict().items():
        if name.startswith("key") and value is not None:
            return value
    return match.group(0)


def _setting_key(match: re.Match[str], pr: PackRule) -> str:
    key = _written_key(match).strip().strip("'\":").lower()
    return pr.aliases.get(key, key)


# A Java or Kotlin import names a type and runs nothing: `import java.util.concurrent.atomic.
# AtomicInteger;` was DC253's "concurrency control changed" beside the field that uses it (a new
# user's trial on openvidu, 19a7c778d and ac30d55a1, session 32), and a lock's import removed with
# the lock was a second DC358. The line that uses the type is the change.
JVM_SOURCES = (".java", ".kt", ".kts")
_JVM_IMPORT = re.compile(r"^\s*import\s+(?:static\s+)?[\w.`]+(?:\s*\.\s*\*)?(?:\s+as\s+\w+)?\s*;?\s*$")


def _jvm_import(view: FileView, side: str, number: int, raw: str) -> bool:
    return raw.lstrip().startswith("import") and view.deployed.endswith(JVM_SOURCES) \
        and _JVM_IMPORT.match(view.line(side, number)) is not None


def _line_matches(view: FileView, pr: PackRule, side: str, number: int, raw: str) -> Iterator[tuple[Pattern, re.Match[str]]]:
    if _jvm_import(view, side, number, raw):
        return
    low = raw.lower()
    for pattern in pr.patterns:
        if pattern.statement:
            yield from _statement_match(view, pattern, side, number)
            continue
        if not any(c in low for c in pattern.contains):
            continue
        # Blanking comments and strings only removes text, so a pattern that does not match
        # the raw line will not match the lexed one either (up to contrived cases like
        # `x.save(/* c */)`): test the raw line before reading and lexing the whole file.
        if not pattern.end_anchored and not pattern.regex.search(raw):
            continue
        lexed = view.line(side, number, strings=pattern.in_strings)
        m = pattern.regex.search(lexed)
        if m and _pattern_applies(view, pattern, side):
            # Blanking keeps positions: the same match on the raw line shows a string argument as
            # written (`getRouterConfigInt("Router.noOfWorkers", 64)`, not `getRouterConfigInt(" ", 64)`).
            shown = pattern.regex.match(raw, m.start()) if len(lexed) == len(raw) else None
            yield pattern, (shown if shown is not None and shown.span() == m.span() else m)


# A method chain written over several lines, RuboCop's way (docuseal's claim: `Submission.where(…)`
# / `.where.not(…)` / `.update_all(…)` / `.positive?`, a new user's trial, session 37): a line
# that begins with `.` or `&.`, or follows one that ends with `.`, `(` or `,`, continues the one
# above. Read once per chain, at its first changed line; at most 12 lines.
_CONTINUES_BELOW = re.compile(r"^\s*&?\.(?!\.)")
_CONTINUES_ABOVE = re.compile(r"(?:[.(,]|&\.)\s*$")
_CHAIN_LINES = 12


def _statement_match(view: FileView, pattern: Pattern, side: str, number: int) -> Iterator[tuple[Pattern, re.Match[str]]]:
    lines = view.lines(side, strings=pattern.in_strings)
    if lines is None or not 1 <= number <= len(lines):
        return
    first = last = number
    while first > 1 and number - first < _CHAIN_LINES and (
            _CONTINUES_BELOW.match(lines[first - 1]) or _CONTINUES_ABOVE.search(lines[first - 2])):
        first -= 1
    while last < len(lines) and last - first < _CHAIN_LINES and (
            _CONTINUES_BELOW.match(lines[last]) or _CONTINUES_ABOVE.search(lines[last - 1])):
        last += 1
    if min(n for n in range(first, last + 1) if n == number or n in view.changed(side)) != number:
        return  # read at the chain's first changed line
    joined = " ".join(line.strip() for line in lines[first - 1:last])
    if not any(c in joined.lower() for c in pattern.contains):
        return
    m = pattern.regex.search(joined)
    if m and _pattern_applies(view, pattern, side):
        yield pattern, m


def _call_start(raw: str, at: int) -> int:
    """Where the call a match at ``at`` belongs to starts: back over its receiver (`this.db` of
    `this.db.transaction(`, `Foo::Bar` of `Foo::Bar.lock`); -1 when the match is not on the line."""
    while at > 0 and (raw[at - 1].isalnum() or raw[at - 1] in "_$.?:@"):
        at -= 1
    return at


def _run_pattern_rule(view: FileView, pr: PackRule) -> Iterator[Finding]:
    side = pr.side
    if pr.not_in_deleted_files and view.ctx.file.new_path is None:
        return
    settings_rule = any("value" in p.regex.groupindex for p in pr.patterns)
    if settings_rule:
        yield from _run_setting_rule(view, pr)
        return
    fewer: dict[int, bool] = {}
    for number, raw in sorted(view.changed(side).items()):
        if number in realigned(view.ctx, side, view.lexer) or _moved_with_its_file(view, raw):
            continue
        for pattern, m in _line_matches(view, pr, side, number, raw):
            if (at := _call_start(raw, raw.find(m.group(0)))) > 0 and rebound(view.ctx, side, number, raw[at:]):
                continue  # the same call; only what takes its result changed
            if pr.only_if_fewer_in_head:
                key = id(pattern)
                if key not in fewer:
                    fewer[key] = view.lexed("head") is None or _count(view, "head", pattern) < _count(view, "base", pattern)
                if not fewer[key]:
                    continue
            message = render(pattern.message or pr.message, path=view.path, match=_shown(m), **_groups(m))
            severity = None
            if pr.only_if_fewer_in_head and side == "base" and _in_a_method_removed_whole(view, number):
                break  # what it guarded went with it (airsonic's unused `toISO8601`, a new user's trial)
            if pr.only_if_fewer_in_head and side == "base":
                moved = _moved_into_helper(view.ctx, number, pattern.regex)
                if moved is not None:  # rules/trees/moved.py: a lock moved into a helper is no removal
                    severity, why = moved
                    message = f"{_shown(m)} removed from this function in {view.path}, but {why}."
            yield pr.rule.finding(view.path, number, message, side=side, severity=severity)
            break


# A Java/Kotlin/Go method's or function's first line: a name and `(` after modifiers or a
# result type, ending in `{` (`public static String toISO8601(Date date) {`, `func (s *S) m() {`).
_METHOD_START = re.compile(r"^\s*(?!synchronized\s*\()(?:func\s*(?:\([^)]*\)\s*)?\w+\s*\(|(?:(?:public|private|protected|"
                           r"static|final|synchronized|override|suspend|internal|open|fun)\s+)+[^;=(]*\b\w+\s*\()[^;]*\{\s*$")


def _in_a_method_removed_whole(view: FileView, number: int) -> bool:
    """Whether removed line ``number`` of the base lies in a method (Java, Kotlin) or function
    (Go) whose every line the change removed: no code is left for the safeguard to guard."""
    if not view.deployed.endswith((*JVM_SOURCES, ".go")):
        return False
    lines, removed = view.lines("base"), view.changed("base")
    if lines is None:
        return False
    start = number
    while start >= 1 and not _METHOD_START.match(lines[start - 1]):
        if start != number and start not in removed:
            return False
        start -= 1
    if start < 1 or start not in removed:
        return False
    # Called elsewhere in the file, its body may have been inlined into a caller without the lock.
    name = re.search(r"(\w+)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)?[^(]*$", lines[start - 1].split("{")[0])
    called = re.compile(rf"\b{re.escape(name.group(1))}\s*\(") if name else None
    if called is None or any(called.search(line) for n, line in enumerate(lines, 1) if n != start):
        return False
    depth, end = 0, start
    while end <= len(lines):
        depth += lines[end - 1].count("{") - lines[end - 1].count("}")
        if end not in removed:
            return False
        if depth <= 0 and end > start:
            return end >= number
        end += 1
    return False


def _moved_with_its_file(view: FileView, raw: str) -> bool:
    """Whether ``raw`` is a line of a file moved whole that its other half holds too (the change
    is read without rename detection, so a moved file is one deleted and one added): the same
    line at a new path is no change (xxl-job's open-API services moved to another package, their
    `tryAcquire` calls with them). rules/trees/moved.py pairs the halves."""
    key = "patterns.moved-lines"
    if key not in view.ctx.cache:
        view.ctx.cache[key] = _other_half_lines(view.ctx)
    lines = view.ctx.cache[key]
    return bool(lines) and raw.strip() in lines


def _other_half_lines(ctx: FileContext) -> frozenset[str]:
    from ...git.model import ADDED, DELETED
    from ..trees.langs import language_of_file

    language = language_of_file(ctx)
    if ctx.file.status not in (ADDED, DELETED) or language is None or language == "lua":
        return frozenset()
    from ..trees.moved import moved_counterpart

    there = moved_counterpart(ctx, language)
    if there is None:
        return frozenset()
    text = there[1].source.decode("utf-8", "replace")
    # Stripped, not respaced: a string whose spacing changed is another value (rules/realigned.py).
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _moved_into_helper(ctx: FileContext, line: int, regex: re.Pattern[str]) -> tuple[str, str] | None:
    from ..trees.langs import language_of_file

    if language_of_file(ctx) is None:
        return None
    from ..trees.moved import moved_into_helper

    return moved_into_helper(ctx, line, regex)


def _shown(m: re.Match[str]) -> str:
    """The matched text as a message shows it: ``new Worker(`` reads as ``new Worker``; a
    pattern that matches more than it names (a line's start, to see no SQL comment opens before
    it) names its `shown` group."""
    text = m.group("shown") if "shown" in m.re.groupindex and m.group("shown") else m.group(0)
    text = text.strip().rstrip("({[ \t:='\"`").strip()
    # A match that ends inside a string (`@Query("UPDATE`) is shown with the string closed.
    for quote in "\"'":
        if text.count(quote) % 2:
            text += "…" + quote + (")" if text.count("(") > text.count(")") else "")
            break
    return short(text)


def _groups(m: re.Match[str]) -> dict[str, str]:
    return {k: short(v) for k, v in m.groupdict().items() if v is not None}


def _scalar(value: str) -> bool:
    v = _normalise_value(value)
    return bool(v) and v[0] not in "{[(" and not v.endswith(("{", "[", "("))


def _run_setting_rule(view: FileView, pr: PackRule) -> Iterator[Finding]:
    """Settings: pair each added value with the removed value of the same key in the same hunk
    (or, failing that, anywhere in the file) and say what changed."""
    hunks = view.ctx.file.hunks

    def collect(side: str) -> list[tuple[int, str, str | None, re.Match[str], Pattern]]:
        out = []
        for number, raw in sorted(view.changed(side).items()):
            for pattern, m in _line_matches(view, pr, side, number, raw):
                value = m.groupdict().get("value")
                out.append((number, _setting_key(m, pr) if value is not None else "", value, m, pattern))
                break
        return out

    added, removed = collect("head"), collect("base")

    def hunk_of(side: str, number: int) -> int:
        for i, h in enumerate(hunks):
            lines = h.added if side == "head" else h.removed
            if any(line.number == number for line in lines):
                return i
        return -1

    used: set[int] = set()
    for number, key, value, m, pattern in added:
        old = None
        if value is not None:
            candidates = [r for r in removed if r[1] == key and r[2] is not None]
            same_hunk = [r for r in candidates if hunk_of("base", r[0]) == hunk_of("head", number)]
            pick = same_hunk or (candidates if len(candidates) == 1 else [])
            if pick:
                old = pick[0]
                used.add(old[0])
        values = dict(path=view.path, match=_shown(m), **_groups(m))
        # A setting written without a value (`nats.AckNone()`) is still named by its key group.
        named = value is not None or any(n.startswith("key") and v for n, v in m.groupdict().items())
        values["key"] = short(_written_key(m)) if named else key
        if value is not None and old is not None and old[2] is not None:  # candidates have a value
            if _normalise_value(old[2]) == _normalise_value(value):
                continue  # reformatted, same value: not a change
            if _scalar(old[2]) and _scalar(value) and "changed" in pr.messages:
                o, n = _normalise_value(old[2]), _normalise_value(value)
                message = render(pr.messages["changed"], old=short(o), new=short(n), consequence=consequence(o, n), **values)
            else:
                message = render(pattern.message or pr.message, **values)
        elif value is not None and _scalar(value) and "added" in pr.messages:
            n = _normalise_value(value)
            message = render(pr.messages["added"], new=short(n), consequence=consequence(None, n), **values)
        else:
            message = render(pattern.message or pr.message, **values)
        yield pr.rule.finding(view.path, number, message)
    if "removed" not in pr.messages:
        return
    head_keys = {a[1] for a in added}
    for number, key, value, m, pattern in removed:
        if value is None or number in used or key in head_keys:
            continue
        # The setting line went away; if the same setting is still in the head file unchanged,
        # the line only moved.
        head_lines = view.lines("head", strings=pattern.in_strings) or []
        still = any(
            (hm := pattern.regex.search(line)) and hm.groupdict().get("value") is not None and _setting_key(hm, pr) == key
            for line in head_lines
        )
        if still:
            continue
        message = render(pr.messages["removed"], path=view.path, key=short(_written_key(m)), old=short(_normalise_value(value)))
        yield pr.rule.finding(view.path, number, message, side="base")


# --- the detector ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _keyword_regex(pack: Pack) -> re.Pattern[bytes]:
    """All of a pack's keywords as one alternation: one scan of the diff bytes per file."""
    return re.compile(b"|".join(re.escape(k.encode("utf-8")) for k in pack.keywords))


def _changed_lower(ctx: FileContext) -> tuple[str, str]:
    key = "patterns.lower"
    if key not in ctx.cache:
        ctx.cache[key] = ("\n".join(ctx.added.values()).lower(), "\n".join(ctx.removed.values()).lower())
    return ctx.cache[key]


def _packs_for_file(ctx: FileContext) -> tuple[tuple[Pack, str], ...]:
    """``packs_for(ctx.path)``; for a script without an extension, the packs of the language its
    `#!` line names (those of that language's first extension)."""
    deployed = deployed_path(ctx.path)
    chosen = packs_for(deployed)
    if chosen:
        return chosen
    if "/cron.d/" in f"/{deployed}":
        return packs_for("crontab")  # `/etc/cron.d/app`: a crontab by its folder, whatever its name
    from ..trees.langs import EXTENSIONS, has_extension, language_of_file

    if has_extension(ctx.path):
        return chosen
    language = language_of_file(ctx)
    extension = next((ext for ext, name in EXTENSIONS.items() if name == language), None)
    return _dispatch().by_extension.get(extension, ()) if extension else ()


def detect(ctx: FileContext) -> Iterable[Finding]:
    # Cheapest tests first: the file name, then plain substrings of the raw diff bytes; lines
    # are parsed, files read from git and lexed only for files that pass both.
    chosen: Sequence[tuple[Pack, str]] = _packs_for_file(ctx)
    if not chosen or is_test_or_doc(ctx.path):
        return []
    raw = ctx.changed_lower()
    chosen = [(pack, lexer) for pack, lexer in chosen if _keyword_regex(pack).search(raw)]
    if not chosen or (not ctx.added and not ctx.removed):
        return []
    added_low, removed_low = _changed_lower(ctx)
    try:
        return _detect_packs(ctx, chosen, added_low, removed_low)
    except _NotRead:
        return []


@lru_cache(maxsize=None)
def _spanning_keywords(pack: Pack) -> tuple[str, ...]:
    """The pack's keywords holding a line break: only they can match across the join of the
    added and the removed lines (none do today)."""
    return tuple(k for k in pack.keywords if "\n" in k)


def _admitted(pack: Pack, added_low: str, removed_low: str) -> list[PackRule]:
    """The pack's rules whose keywords (``contains``) the changed lines hold: a head-side rule's
    in the added lines, a base-side rule's in the removed ones, a setting rule's (it also
    reports settings that went away) in both joined, a check's in either."""
    # Which keywords each side holds, found once per pack (in C) instead of once per rule.
    in_added = frozenset(filter(added_low.__contains__, pack.keywords))
    in_removed = frozenset(filter(removed_low.__contains__, pack.keywords))
    if not in_added and not in_removed:
        return []
    in_either = in_added | in_removed
    spanning = _spanning_keywords(pack)
    in_joined = in_either | {k for k in spanning if k in added_low + "\n" + removed_low} if spanning else in_either
    admitted = []
    for pr in pack.rules:
        if pr.check is not None:
            found = in_either
        elif "removed" in pr.messages:
            found = in_joined
        else:
            found = in_added if pr.side == "head" else in_removed
        if not found.isdisjoint(pr.contains):
            admitted.append(pr)
    return admitted


def _detect_packs(ctx: FileContext, chosen: Sequence[tuple[Pack, str]], added_low: str, removed_low: str) -> list[Finding]:
    findings: list[Finding] = []
    for pack, lexer in chosen:
        admitted = _admitted(pack, added_low, removed_low)
        if not admitted:
            continue
        view = FileView(ctx, lexer)
        for pr in admitted:
            if (pr.paths and not pathglob.matches(view.deployed, pr.paths)) or (
                    pr.skip_paths and pathglob.matches(view.deployed, pr.skip_paths)):
                continue
            if pr.check is not None:
                from .checks import CHECKS

                findings.extend(CHECKS[pr.check](view, pr))
            else:
                findings.extend(_run_pattern_rule(view, pr))
    return findings


@lru_cache(maxsize=None)
def _rules() -> tuple[Rule, ...]:
    return tuple(pr.rule for pack in load_packs() for pr in pack.rules)


DETECTORS = (detect,)


def __getattr__(name: str) -> Any:
    # RULES is computed on first use (PEP 562), so importing this module stays cheap: the packs
    # are YAML, and YAML is kept off the start-up path.
    if name == "RULES":
        return _rules()
    raise AttributeError(name)
