"""Which files name a function: asked by the search for the jobs that call it (rules/trees/reach.py)
and, before any parser loads, by the gate that spares that search a file whose functions no other
file names (rules/trees/__init__.py). One `git grep -o` answers many names; each answer is kept
for the scan, so the gate's answer is the search's first step."""

from __future__ import annotations

import re

from .keywords import FAMILY_GLOBS, FAMILY_SUFFIXES, KEYWORDS, NODE_SIGNS, family_of, jobs_elsewhere, scan_memo
from .langs import language_of_file

MAX_FILES = 25

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!]?")
# Names so common as method names that two unrelated ones share them (`Start`, `Load`, `run`):
# a trail through one would join code that never calls each other. Not followed.
GENERIC = frozenset(
    "do run start stop load process get set new init initialize handle execute close serve call main update "
    "create save find build apply render show index list delete destroy open read write send test to_s to_h "
    "to_json as_json string value values key keys size length each map reset clear "
    # the standard collections' and objects' own methods in every language (`calendar.add(…)`,
    # `list.remove(x)`, `map.put(k, v)`): a call of one names the library's far more often
    # than an application method of the same name
    "add remove put push pop append insert contains equals hashcode tostring compareto next clone "
    # every JavaScript object's own (`ipDelayList.hasOwnProperty(key)` in nightscout's timer is
    # Object's, not a helper of that name: a new user's trial, session 25)
    "hasownproperty valueof isprototypeof propertyisenumerable tolocalestring".split())


def followable(name: str) -> bool:
    return bool(WORD.fullmatch(name)) and name.lower().rstrip("?!") not in GENERIC


def files_naming(ctx, family: str, names: list[str]) -> dict[str, list[str]]:
    """For each name, the non-test files of the family at head that hold it as a word; [] when
    more than MAX_FILES that the branch leaves as they are hold it (too common to follow). Only
    those count: the branch under test cannot make a name common by adding files that name it."""
    memo = scan_memo(ctx)
    todo = [name for name in names if ("trees.naming", family, name) not in memo]
    if todo:
        base_files = ctx.settings.base_files
        touched = base_files.touched if base_files is not None else None
        if touched is not None and base_files.at_head is not None and base_files.merge_base:
            # From where the branch forked: only there are the untouched files the same as at head.
            at_head = _naming_from_base(ctx, base_files.merge_base, touched, base_files.at_head, family, todo)
        else:
            at_head = _naming_at(ctx, ctx.repo.head_sha, family, todo)
        for name in todo:
            paths = at_head[name]
            # Unknown touched paths: the name is followed (fail closed: more trails, not fewer).
            if touched is not None and sum(path not in touched for path in paths) > MAX_FILES:
                memo[("trees.common", family, name)] = len(paths)  # said when a trail stops here
                paths = []
            memo[("trees.naming", family, name)] = paths
    return {name: memo[("trees.naming", family, name)] for name in names}


def _naming_from_base(ctx, base: str, touched: frozenset[str], present: frozenset[str], family: str,
                      names: list[str]) -> dict[str, list[str]]:
    """The files at head that name each of ``names``, from the base: the files the branch leaves
    as they are name what they named there, and the touched ones are read at head. What the
    base's files name is kept per base under the git directory, so a branch's later hooks ask
    git only for names not asked before, and carried to the next base (the CI gate, uncached,
    asks every time)."""
    cache = _base_cache(ctx, base, family)
    missing = [name for name in names if name not in cache]
    if missing:
        cache.update({name: sorted(paths) for name, paths in _naming_at(ctx, base, family, missing).items()})
        _save_base_cache(ctx, base, family, cache)
    head_words = _touched_words(ctx, present, family)
    found = {}
    for name in names:
        # Filtered again: a cache kept by an earlier version may list what is no longer followed.
        paths = {path for path in cache[name] if path not in touched and _may_call_jobs(ctx, base, path)}
        # A touched file too large to read is listed for every name: the search then reports it
        # as a file it could not read (fail closed), as it would any file naming the function.
        paths |= {path for path, words in head_words.items() if words is None or _holds(words, name)}
        found[name] = sorted(paths)
    return found


# What `git grep -w` calls a whole word: no letter, digit or underscore on either side. For a name
# of those characters only, that is one of the text's maximal runs of them, so each touched text is
# split once and every name is a set lookup (a regex search per name and file cost 2 s on a
# 23-file Go commit); a Ruby `valid?`/`save!` is searched for.
_RUN = re.compile(r"[A-Za-z0-9_]+")


def _holds(words: tuple[frozenset[str], str], name: str) -> bool:
    runs, text = words
    stem = name[:-1] if name[-1:] in ("?", "!") else name
    if stem == name and _RUN.fullmatch(name):
        return name in runs
    if _RUN.fullmatch(stem) and stem not in runs:
        return False
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", text) is not None


def _touched_words(ctx, present: frozenset[str], family: str) -> dict[str, tuple[frozenset[str], str] | None]:
    memo = scan_memo(ctx)
    key = ("trees.touched-words", family)
    if key not in memo:
        memo[key] = {path: (frozenset(_RUN.findall(text)), text) if text is not None else None
                     for path, text in _touched_at_head(ctx, present, family).items()}
    return memo[key]


def _touched_at_head(ctx, present: frozenset[str], family: str) -> dict[str, str | None]:
    """The touched non-test files of the family that exist at head, as text (None: too large to
    read)."""
    memo = scan_memo(ctx)
    key = ("trees.touched-texts", family)
    if key not in memo:
        suffixes = FAMILY_SUFFIXES[family]
        texts: dict[str, str | None] = {}
        for path in sorted(present):
            if not path.endswith(suffixes) or not _may_call_jobs(ctx, ctx.repo.head_sha, path):
                continue
            data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
            texts[path] = data.decode("utf-8", "surrogateescape") if data is not None else None
        memo[key] = texts
    return memo[key]


def _base_cache(ctx, base: str, family: str) -> dict[str, list[str]]:
    """What the base's files name, as kept for the hooks or carried from an earlier base
    (rules/trees/kept.py); read once per scan."""
    from . import kept

    memo = scan_memo(ctx)
    key = ("trees.naming-base", family)
    if key not in memo:
        globs = FAMILY_GLOBS[family]
        path = kept.kept_path(ctx.repo.root, "trees-naming", base, family, str(globs))

        def ask(names: list[str], pathspec: list[str]) -> dict[str, set[str]]:
            return {name: set(paths) for name, paths in _naming_at(ctx, base, family, names, pathspec).items()}

        memo[key] = (path, kept.load(ctx.repo.root, path, base, globs, ask))
    return memo[key][1]


def _save_base_cache(ctx, base: str, family: str, cache: dict[str, list[str]]) -> None:
    from . import kept

    kept.save(scan_memo(ctx)[("trees.naming-base", family)][0], cache)


def package_files_naming(ctx, folder: str, names: list[str]) -> dict[str, list[str]]:
    """For each name, the Go files of the package in ``folder`` (not its sub-packages) at head
    that hold it as a word, however many files of the repository hold it: a search within one
    package (one `git grep` for the names not asked before)."""
    memo = scan_memo(ctx)
    todo = sorted({name for name in names if ("trees.package-naming", folder, name) not in memo})
    if todo:
        found = _naming_at(ctx, ctx.repo.head_sha, "go", todo, [f":(glob){folder + '/' if folder else ''}*.go"])
        for name in todo:
            memo[("trees.package-naming", folder, name)] = found[name]
    return {name: memo[("trees.package-naming", folder, name)] for name in names}


def files_naming_with(ctx, family: str, name: str, others: list[str]) -> list[str] | None:
    """The non-test files of the family at head that hold ``name`` and one of ``others`` as
    words: where a name too common to follow alone can be reached. In Java, a method called on a
    variable of its class or of a type it extends (jeepay's `query`, which 82 files hold, called
    on an `ITransferService`): Java code names the type of the variable it calls through. In Ruby,
    a class inside a module (lago's `IntegrationCustomers::CreateService`, one of hundreds of
    `CreateService`s): a caller names the module, in the call or around it. None when more than
    MAX_FILES that the branch leaves as they are hold both (the name stays too common). Once per
    name and others per scan."""
    memo = scan_memo(ctx)
    key = ("trees.naming-with", family, name, tuple(others))
    if key not in memo:
        found = _naming_at(ctx, ctx.repo.head_sha, family, [name, *others])
        paths = sorted(set(found[name]) & {path for other in others for path in found[other]})
        base_files = ctx.settings.base_files
        touched = base_files.touched if base_files is not None and base_files.touched is not None else frozenset()
        memo[key] = None if sum(path not in touched for path in paths) > MAX_FILES else paths
    return memo[key]


# A Go method (`func (c *firebaseClient) Send(`): a generic name of one is looked for in its package only.
_GO_PACKAGE_METHOD = re.compile(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*\w+(?:\[[^\]]*\])?\s*\)\s*(\w+)\s*[\[(]", re.M)


def _naming_at(ctx, rev: str, family: str, names: list[str], pathspec: list[str] | None = None) -> dict[str, list[str]]:
    from ...git import gitcmd
    found = gitcmd.grep_words(ctx.repo.root, rev, names, pathspec or FAMILY_GLOBS[family])
    return {name: sorted(path for path in paths if _may_call_jobs(ctx, rev, path)) for name, paths in found.items()}


def _may_call_jobs(ctx, rev: str, path: str) -> bool:
    """Whether a trail may run through ``path`` (at ``rev``): not a test, documentation or vendored
    code, and not code a web server sends to browsers, which calls no job's function
    (rules/paths.py), unless what it says shows it a server's (``NODE_SIGNS``)."""
    from ..paths import is_test_or_doc, served_to_browsers

    if is_test_or_doc(path):
        return False
    if not served_to_browsers(path):
        return True
    memo = scan_memo(ctx)
    key = ("trees.browser-file-is-a-servers", rev, path)
    if key not in memo:
        from .parse import MAX_PARSE_BYTES

        data = ctx.repo.read_blob(f"{rev}:{path}")
        # One the search could not parse is a bundle: whatever it mentions, it is built for a page.
        text = data.decode("utf-8", "surrogateescape") if data is not None and len(data) <= MAX_PARSE_BYTES else ""
        memo[key] = NODE_SIGNS.search(text) is not None or any(k in text.lower() for k in KEYWORDS["javascript"])
    return memo[key]


# Languages whose functions and types are all introduced by a keyword: every name the search
# could follow into a file (a function's own, or a service object's class for its entry
# method: reach.followed_name) is one of these words. JS/TS methods and arrow functions and
# Java methods have no keyword: for them the gate cannot list the names without the parser.
_DEFINED = {
    # A name on the keyword's line: `[ \t]`, not `\s`, or a stray `def` in a comment would take
    # the next line's `def` as its name and hide the method it starts. An operator method
    # (`def ==(other)`, `def [](key)`) is read, and has no name to follow.
    "ruby": re.compile(r"\bdef[ \t]+(?:[\w:]+\.)?([A-Za-z_]\w*[?!]?)|\bdef[ \t]+(?:[\w:]+\.)?[^\w\s(]"
                       r"|\b(?:class|module)[ \t]+(?:::)?(?:\w+::)*([A-Za-z_]\w*)"),
    # Go declares functions and methods at the top level only, at a line's start (a method is
    # followed by its own name: it is not nested in its type); `/* */` may stand between.
    "go": re.compile(r"(?m)^[ \t]*func(?:[ \t]|/\*[^\n]*?\*/)*(?:\([^)]*\)(?:[ \t]|/\*[^\n]*?\*/)*)?([A-Za-z_]\w*)"),
}
# Every place a definition may start. One the patterns above do not read (`def` at a line's end
# with its name on the next, `def (self).x`, `func (s *(Store)) Name`, a Go declaration after
# `;` or `*/`) leaves the file to the parser: the gate never guesses. `.class`, `:class` and
# `class << self` define no name.
_KEYWORD = {
    "ruby": re.compile(r"(?<![.:\w$@])(?:def|class|module)\b(?![ \t]*<<)"),
    "go": re.compile(r"(?m)(?:^[ \t]*|(?:;|\*/)[ \t]*)(func)\b"),
}
# A changed Go line that binds a name (`const limit = 5`, `\tlimit = 5` in a `const (…)` block,
# `var cache map[string]int`): it may be a package-level name another file of the package reads.
_GO_BINDING_LINE = re.compile(r"[ \t]*(?:(?:const|var)[ \t]+)?([A-Za-z_]\w*)[ \t]*(?:[A-Za-z_*\[][^=\n]*)?=(?!=)")
# After a Go `func (…)` that the pattern did not read: a name then `(` or `[` is a method.
_GO_METHOD_AFTER = re.compile(r"(?:[ \t]|/\*.*?\*/)*[A-Za-z_]\w*[ \t]*[(\[]")


def defined_names(language: str, texts) -> set[str] | None:
    """The followable names that ``texts`` (a file's sides) define; None for a language whose
    definitions a pattern cannot list, or a text with a definition the pattern cannot read."""
    pattern = _DEFINED.get(language)
    if pattern is None:
        return None
    names: set[str] = set()
    for text in texts:
        matches = list(pattern.finditer(text))
        read = {text.find("func", m.start()) if language == "go" else m.start() for m in matches}
        for keyword in _KEYWORD[language].finditer(text):
            start = keyword.start(1) if language == "go" else keyword.start()
            if start not in read and not (language == "go" and _go_literal(text, start + 4)):
                return None
        names |= {name for m in matches for name in m.groups() if name and followable(name)}
    return names


# The names of a Ruby file's modules and classes, compact ones whole (`class Billing::Invoices::Create`).
_RUBY_NAMESPACE = re.compile(r"\b(?:class|module)[ \t]+(?:::)?((?:\w+::)*\w+)")


def _go_literal(text: str, at: int) -> bool:
    """Whether the Go `func` that ends at ``at`` starts a function literal or type (`func() {`,
    `func(x int) error`), not a declaration: its parentheses are not followed by a name and `(`."""
    at = len(text) - len(text[at:].lstrip(" \t"))
    if not text.startswith("(", at):
        return False
    depth = 0
    for end in range(at, min(len(text), at + 2000)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return _GO_METHOD_AFTER.match(text, end + 1) is None
    return False


def named_elsewhere(ctx, language: str) -> bool:
    """Whether another file may call a function of this file: one of the names its sides define
    is held by another non-test file at head (as the search counts them). True when that cannot be
    told without parsing (a language without definition keywords, a side too large to read)."""
    texts = []
    for side, exists in (("head", ctx.file.new_path is not None), ("base", ctx.file.old_path is not None)):
        text = ctx.head_text() if side == "head" else ctx.base_text()
        if exists and text is None:
            return True  # the parser's turn: detect reports what it cannot read (DC703)
        if text:
            texts.append(text)
    names = defined_names(language, texts)
    if names is None:
        return True
    if language == "go":
        # A package-level constant or variable bound to another value is followed to the functions
        # that read it (rules/trees/detect.py), in any file of its package.
        names |= {m.group(1) for text in (*ctx.added.values(), *ctx.removed.values())
                  if (m := _GO_BINDING_LINE.match(text)) and followable(m.group(1))}
    _ask_for_the_whole_change(ctx, language, texts)
    naming = files_naming(ctx, family_of(language), sorted(names))
    if any(path != ctx.path for paths in naming.values() for path in paths):
        return True
    if language == "ruby":
        # A class too common to follow by its name alone is looked for with its module's name
        # (rules/trees/reach.py's ``_namespaced_callers``): asked of every module the file names.
        memo = scan_memo(ctx)
        spaces = sorted({part for text in texts for m in _RUBY_NAMESPACE.finditer(text) for part in m.group(1).split("::")
                         if followable(part)})
        return any(path != ctx.path for name in sorted(names) if memo.get(("trees.common", "ruby", name))
                   for path in files_naming_with(ctx, "ruby", name, [x for x in spaces if x != name]) or ())
    if language != "go":
        return False
    # A generic name of a Go method is looked for in its package only
    # (rules/trees/reach.py's ``go_package_method``).
    generic = sorted({m.group(1) for text in texts for m in _GO_PACKAGE_METHOD.finditer(text) if not followable(m.group(1))})
    folder = ctx.path.rpartition("/")[0]
    return bool(generic) and any(path != ctx.path for paths in package_files_naming(ctx, folder, generic).values() for path in paths)


def _ask_for_the_whole_change(ctx, language: str, texts: list[str]) -> None:
    """One `git grep` for the names every changed file of the language defines, asked by the
    first file's gate: a commit of many files would otherwise cost one per file (37 greps, most
    of 3 s, for a 182-file commit of a Rails app). Later files find their answers in the memo."""
    from ..paths import is_test_or_doc
    from .langs import language_of

    memo = scan_memo(ctx)
    key = ("trees.naming-change", language)
    base_files = ctx.settings.base_files
    if key in memo or base_files is None or not base_files.touched or base_files.at_head is None:
        return
    memo[key] = True
    paths = [path for path in sorted(base_files.touched)
             if path != ctx.path and language_of(path) == language and not is_test_or_doc(path)]
    if not paths:
        return
    # The head sides as the search reads them (read once per scan), the base sides from where
    # the branch forked. A file whose definitions the pattern cannot list adds none here; its own
    # gate leaves it to the parser.
    at_head = _touched_at_head(ctx, base_files.at_head, family_of(language))
    names = set(defined_names(language, texts) or ())
    for path in paths:
        sides = [at_head.get(path)]
        if base_files.merge_base and (data := ctx.repo.read_blob(f"{base_files.merge_base}:{path}")):
            sides.append(data.decode("utf-8", "surrogateescape"))
        names |= defined_names(language, [text for text in sides if text]) or set()
    files_naming(ctx, family_of(language), sorted(names))


def java_field_named(ctx, name: str) -> bool:
    """Whether a Java or Kotlin file of the repository at head may declare a variable named
    ``name`` (`protected Supplier Supplier;`, `val Supplier = …`): a class inheriting it sees the
    field, and the field obscures a type of that name (JLS 6.4.2), so `Supplier.getURL(p)` there
    calls the field's instance method. Read loosely (any word, space, the name, then `=`, `;` or
    `,`): a line that only looks like one keeps a call, never drops one. Once per name and scan."""
    memo = scan_memo(ctx)
    key = ("trees.java-field", name)
    if key not in memo:
        from ...git import gitcmd

        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            memo[key] = True
        else:
            pattern = (rf"[]A-Za-z0-9_>?][[:space:]]+{name}[[:space:]]*(=|;|,)"
                       rf"|(val|var)[[:space:]]+{name}([^A-Za-z0-9_]|$)")
            memo[key] = bool(gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], list(FAMILY_GLOBS["java"]),
                                               extended=True, what=f"fields named {name}"))
    return memo[key]


def java_subclass_files(ctx, name: str) -> list[str]:
    """The Java and Kotlin files at head that may declare a subclass of the class ``name``
    (`extends Name`, Kotlin's `: Name(`). Each file that names it as a word is read whole, so a
    declaration spread over lines (`extends` on one, the name on the next, as a formatter leaves
    dolphinscheduler's triggers; Kotlin's supertypes listed one a line or the class after an
    interface, `: Named, Name()`) or with a comment or an annotation between is seen. Read
    loosely: text that only looks like one adds a file to read, never hides one; a file too large
    to read is one, and more than ``_MAX_SUBCLASS_READS`` files naming the class are all returned
    unread. Once per name and scan."""
    memo = scan_memo(ctx)
    key = ("trees.java-subclass-files", name)
    if key not in memo:
        memo[key] = _java_subclass_files(ctx, name) if WORD.fullmatch(name) else []
    return memo[key]


def java_type_files(ctx, name: str) -> list[str]:
    """The Java and Kotlin files at head that may declare a type named ``name`` (a class,
    interface, enum, record or Kotlin object), read loosely: a line that only looks like a
    declaration adds a file to read, never hides one. Once per name and scan."""
    memo = scan_memo(ctx)
    key = ("trees.java-type-files", name)
    if key not in memo:
        from ...git import gitcmd

        pattern = rf"(class|interface|enum|record|object)[[:space:]]+{name}([^A-Za-z0-9_]|$)"
        memo[key] = gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], list(FAMILY_GLOBS["java"]),
                                      extended=True, what=f"types named {name}") if WORD.fullmatch(name) else []
    return memo[key]


# More files naming a class than this are not read one by one: all of them may declare a subclass.
_MAX_SUBCLASS_READS = 400


def _java_subclass_files(ctx, name: str) -> list[str]:
    from ...git import gitcmd
    from .parse import Parsed, parse_bytes, walk

    paths = gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [name], list(FAMILY_GLOBS["java"]), words=True,
                              what=f"subclasses of {name}")
    if len(paths) > _MAX_SUBCLASS_READS:
        return paths
    word = re.compile(rf"(?<![\w$]){name}(?![\w$])")
    found = []
    for path in paths:
        data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
        if data is None:
            found.append(path)  # not read: it may declare one
            continue
        kotlin = path.endswith(".kt")
        if not kotlin:
            # Java: `extends`, then anything but a body or a statement's end, then the name; the
            # search parses the file for its superclass.
            text = _JVM_COMMENTS.sub(" ", data.decode("utf-8", "surrogateescape"))
            if re.search(r"\bextends\b[^{;]*?" + word.pattern, text):
                found.append(path)
            continue
        p = parse_bytes("kotlin", data)
        if not isinstance(p, Parsed) or p.root.has_error:
            # Not parsed whole: the name after a `:` or a `,` (a parameter's type looks the same: loose).
            text = _JVM_COMMENTS.sub(" ", data.decode("utf-8", "surrogateescape"))
            if re.search(r"[:,][^{;=]*?" + word.pattern, text):
                found.append(path)
        elif any(n.type == "delegation_specifiers" and word.search(p.text(n)) for n in walk(p.root)):
            # Kotlin's supertype lists, of a class or an object expression (`object : Name(),
            # Listener {…}`, which a variable of the interface's type may hold).
            found.append(path)
    return found


# Comments, blanked before a file is read as text. A `//` inside a string blanks the rest of
# its line: the text left is read more loosely, never less.
_JVM_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


# --- producers (DC715, rules/trees/producer.py) ------------------------------------------------

# DC715's gate (rules/trees/producer.py): a Ruby file with changed lines that enqueues a job,
# directly or through a method of the repository that does (one `git grep` pair per scan, asked
# only when the base has job code at all).
_DIRECT_WORDS = ("perform_later", "perform_async", "perform_in", "perform_at", "perform_bulk", "resque.enqueue",
                 "delayed::job.enqueue", ".delay.", ".delay(", ".delay_for(", ".delay_until(",  # delayed_job, Sidekiq's
                 "handle_asynchronously",  # delay extensions
                 "notifier.with(", "notification.with(", "deliver_by",  # the noticed gem's deliveries
                 "perform_now", "perform_inline",  # a job queued on the base, run in its caller on the head
                 "deliver_later", "deliver_now")  # a mail sent on the base, queued on the head, or the other way


# A hash that describes a queued method call (producer._queued_call), as lower-cased text.
_QUEUED_CALL_TEXT = re.compile(r":method_name\s*=>|\bmethod_name:")


def producer_hints(ctx) -> bool:
    if language_of_file(ctx) != "ruby" or not ctx.added:
        return False
    head = ctx.lower_text("head") or ""
    if any(w in head for w in _DIRECT_WORDS) or ("method_name" in head and _QUEUED_CALL_TEXT.search(head)):
        return True
    if ctx.repo is None or not jobs_elsewhere(ctx, "ruby"):
        return False
    names = producers(ctx)
    return bool(names) and not names.keys().isdisjoint(re.findall(r"[A-Za-z_]\w*[?!]?", ctx.head_text() or ""))


# What hands a job to a queue in Ruby. `deliver_later` (a mailer's mail sent by a job) is left
# out, as the enqueue context rule DC163 leaves it: sending mail later is not shared state.
PRODUCER_CALLS = frozenset({"perform_later", "perform_async", "perform_in", "perform_at", "perform_bulk"})
# The same, as git grep's extended regular expression and as a line pattern.
# `send(:perform_later, …)` and `public_send` name it as a symbol.
# A bare call (`perform_at(send_at, course.id)`) is a job class's own method calling it on itself
# (WikiEduDashboard's `CourseAdviceEmailWorker.schedule_email`, apps-s 300c8164).
GREP_PATTERN = r"\.(perform_later|perform_async|perform_in|perform_at|perform_bulk)([^A-Za-z0-9_?!]|$)" \
               r"|send[( \t][ \t]*:(perform_later|perform_async|perform_in|perform_at|perform_bulk)([^A-Za-z0-9_?!]|$)" \
               r"|(^|[^A-Za-z0-9_.:@$'\"])(perform_later|perform_async|perform_in|perform_at|perform_bulk)([( \t]|$)" \
               r"|Resque\.enqueue|Delayed::Job\.enqueue" \
               r"|\.(delay|delay_for|delay_until)(\([^)]*\))?\.[a-z_][A-Za-z0-9_]*[!?]?\(" \
               r"|[A-Z][A-Za-z0-9_:]*\.(delay|delay_for|delay_until)[.(]"
# A method's `def` may follow words on its line: `private def notify_later`, `memoize def x`.
_DEF_OR_END = r"^[ \t]*(([a-z_][A-Za-z0-9_]*[ \t]+)*def|end)([^A-Za-z0-9_]|$)"
_KEPT_LINE = re.compile(f"{_DEF_OR_END}|{GREP_PATTERN}", re.MULTILINE)
_ENQUEUE_LINE = re.compile(r"(?:\.|send[( \t][ \t]*:)(?:perform_later|perform_async|perform_in|perform_at|perform_bulk)\b(?![?!])"
                           r"|(?:^|[^\w.:@$'\"])(?:perform_later|perform_async|perform_in|perform_at|perform_bulk)(?=[( \t]|$)"
                           r"|\bResque\.enqueue|\bDelayed::Job\.enqueue\b"
                           r"|\.(?:delay|delay_for|delay_until)(?:\([^)]*\))?\.(?!to_)[a-z_]\w*[!?]?\("
                           r"|\b[A-Z][\w:]*\.(?:delay|delay_for|delay_until)[.(]")
_DEF = re.compile(r"^([ \t]*)(?:[a-z_]\w*[ \t]+)*def[ \t]+(?:[\w:]+\.)?([A-Za-z_]\w*[?!=]?)(.*)$")
_END = re.compile(r"^([ \t]*)end\b")
# Every job's and service object's entry method has one of these names (a job that enqueues the
# next one would make every `.perform` a producer): never a producer by name.
_ENTRY_NAMES = frozenset({"call", "execute", "perform", "run", "handle", "process"})


def producers_in(path: str, lines: list[tuple[int, str]]) -> dict[str, tuple[str, int, str]]:
    """The methods of one file whose body enqueues a job, by name: (path, line, the enqueue's
    text). ``lines`` are the file's `def` and `end` lines and its enqueue lines, in order (what
    one `git grep` prints): a method is the lines from its `def` to the `end` written at the
    same indentation, so a method whose `end` is indented otherwise is read to the next such
    `end` (an enqueue then counts for the outer method too, never for none)."""
    found: dict[str, tuple[str, int, str]] = {}
    stack: list[tuple[int, str]] = []  # (indentation, name) of the open methods
    for number, text in lines:
        if (m := _DEF.match(text)) is not None:
            indent, name, rest = len(m.group(1).expandtabs()), m.group(2), m.group(3)
            one_line = re.match(r"\s*(?:\([^)]*\))?\s*=(?!=)", rest) or re.search(r";\s*end\s*$", rest)
            if one_line:  # `def sync = SyncJob.perform_later(self)`, `def x; …; end`
                if _ENQUEUE_LINE.search(rest):
                    found.setdefault(name, (path, number, rest.strip()))
                continue
            stack.append((indent, name))
            continue
        if (m := _END.match(text)) is not None:
            indent = len(m.group(1).expandtabs())
            while stack and stack[-1][0] >= indent:
                closed = stack.pop()
                if closed[0] == indent:
                    break
            continue
        if _ENQUEUE_LINE.search(text) and stack:
            found.setdefault(stack[-1][1], (path, number, text.strip()))
    return {name: where for name, where in found.items()
            if not name.endswith("=") and followable(name) and name.rstrip("?!") not in _ENTRY_NAMES}


def kept_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a file's text that ``producers_in`` reads, as `git grep` would print them."""
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if _KEPT_LINE.search(line)]


def producers(ctx) -> dict[str, tuple[str, int, str]]:
    """The Ruby methods of the repository at head whose body enqueues a job, by name (see
    ``producers_in``): the first file's that holds one, in git's order. At head: the code that
    will run, a wrapper the branch adds included. When the files the branch touched are known, the
    others are read where the branch forked (they are the same there) and that answer is kept per
    fork point under the git directory for the hooks, like the names other files hold; the
    touched ones are read at head. The CI gate (uncached) asks git every time."""
    return {name: wheres[0] for name, wheres in _all_producers(ctx).items()}


def producer_alternatives(ctx) -> dict[str, list[tuple[str, int, str]]]:
    """Of ``producers``, the names that more than one file's method bears, with every one of them
    (dawarich's `Visits::RealtimeDebouncer#trigger` and `Tracks::RealtimeDebouncer#trigger`
    enqueue different jobs): the caller's receiver tells which it calls."""
    return {name: wheres for name, wheres in _all_producers(ctx).items() if len(wheres) > 1}


def _all_producers(ctx) -> dict[str, list[tuple[str, int, str]]]:
    memo = scan_memo(ctx)
    key = ("trees.producers",)
    if key in memo:
        return memo[key]
    base_files = ctx.settings.base_files
    touched = base_files.touched if base_files is not None else None
    found: dict[str, list[tuple[str, int, str]]] = {}
    if touched is None or base_files.at_head is None or not base_files.merge_base:
        for name, where in _producers_by_file(ctx.repo.root, ctx.repo.head_sha, list(FAMILY_GLOBS["ruby"])):
            found.setdefault(name, []).append(where)
        memo[key] = found
        return found
    for name, where in _producers_from_base(ctx, base_files.merge_base):
        if where[0] not in touched:
            found.setdefault(name, []).append(where)
    for path, text in _touched_at_head(ctx, base_files.at_head, "ruby").items():
        # A touched file too large to read holds no producer we could name: its callers stay info
        # (DC163) as before this rule; the file itself is still read by the tree rules.
        if text is not None:
            for name, where in producers_in(path, kept_lines(text)).items():
                found.setdefault(name, []).append(where)
    memo[key] = found
    return found


def _producers_from_base(ctx, base: str) -> list[tuple[str, tuple[str, int, str]]]:
    """What ``_producers_by_file`` answers for ``base``, in git's order: kept for the hooks per
    base and carried to the next one (rules/trees/kept.py), one entry per method, file and
    enqueue line."""
    import json

    from . import kept

    globs = FAMILY_GLOBS["ruby"]
    path = kept.kept_path(ctx.repo.root, "trees-producers", base, "ruby", f"{_DEF_OR_END}|{GREP_PATTERN}")

    def ask(_keys: list[str], pathspec: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {_ASKED: set()}
        for name, (file, number, text) in _producers_by_file(ctx.repo.root, base, pathspec or list(globs)):
            found.setdefault(json.dumps([name, number, text]), set()).add(file)
        return found

    answer = kept.load(ctx.repo.root, path, base, globs, ask)
    if _ASKED not in answer:
        answer = {key: sorted(files) for key, files in ask([], []).items()}
        kept.save(path, answer)
    entries = []
    for key, files in answer.items():
        if key != _ASKED:
            name, number, text = json.loads(key)
            entries += [(file, name, int(number), str(text)) for file in files]
    return [(name, (file, number, text)) for file, name, number, text in sorted(entries)]  # git's order


_ASKED = ""  # present in every kept answer of producers, empty or not


def _producers_by_file(root: str, rev: str, pathspec: list[str]):
    """(name, (path, line, text)) for every producer method of every file at ``rev`` that
    ``pathspec`` names, file by file in git's order."""
    from ...git import gitcmd
    from ..paths import is_test_or_doc

    paths = [path for path in gitcmd.grep_files(root, rev, [GREP_PATTERN], pathspec, extended=True, what="enqueued jobs")
             if not is_test_or_doc(path)]
    for chunk in range(0, len(paths), 200):  # the command line stays short
        literal = [f":(literal){path}" for path in paths[chunk:chunk + 200]]
        for path, lines in gitcmd.grep_lines(root, rev, [_DEF_OR_END, GREP_PATTERN], literal).items():
            yield from producers_in(path, lines).items()
