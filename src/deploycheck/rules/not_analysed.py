"""DC001 not-analysed: code that may run in production and that deploycheck could not read.

The gate's "nothing flagged" must mean "everything was read and nothing was found". Every
other rule looks at text; when there is no text to look at (the file is binary to git, too
large, not decodable the way Python decodes it, not parseable by the Python running deploycheck,
a symlink, compiled code, a submodule), those rules say nothing, and silence would read as
"safe". This family turns each of those silences into a `high` finding that names the reason and
the way out.

Kept cheap to import: it runs on every changed file (its only gate is the check below), so a
git hook pays for it on every commit. The Python analysers are imported only for a Python file
the Python rules were going to read anyway.
"""

from __future__ import annotations

import codecs
import re
import shlex

from ..git.model import FileChange, Finding
from .base import NOT_ANALYSED_ID, FileContext, Rule
from .paths import BUNDLER_OUTPUT, CUCUMBER_STEPS, DEV_TOOL_CONFIG, MOCKS, PREVIEWS, TEST_SUPPORT
from .python.gate import is_test_path, job_by_path, migration_kind

NOT_ANALYSED = Rule(
    id=NOT_ANALYSED_ID,
    name="not-analysed",
    category="shared-state",
    severity="high",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="A changed file that may run in production could not be read or parsed, so nothing in it was checked.",
    languages=("python", "javascript", "typescript", "ruby", "go", "jvm", "any"),
    what_it_does="""\
Reports a changed file that may run in production but that deploycheck could not analyse, and
says exactly why:

- git treats it as binary (a NUL byte, or more than 10 MB) while its extension is code;
- it is larger than the 2,000,000-byte limit for reading a whole file;
- a Python file is not decodable the way Python decodes it (invalid UTF-8, bytes its PEP 263
  `coding:` declaration cannot decode, or a declaration such as `utf-7` under which plain ASCII
  means something else: `+AAo-` is a newline to Python and a comment to every other reader);
- a Python file the Python rules had to read does not parse with the Python running deploycheck
  (newer syntax, a syntax error, nesting deeper than the analyser's recursion limit);
- it is a symbolic link with a code name (the code that runs is elsewhere), compiled code
  (`.pyc`, `.so`, `.class`, `.jar`, …; not the Gradle or Maven wrapper's jar, which starts a build
  and is never deployed) whose source is not in the change, a git submodule
  (another repository's code: the message gives the commits the branch moves it between and the
  commands that show or scan that range in the submodule's own clone; its objects are not read
  even where a clone holds them, as a CI checkout usually fetches none and the gate's answer must
  not depend on how the repository was cloned), or an executable script without an extension whose `#!` line
  names Python (a Ruby or Node script is read by the Ruby or JavaScript rules, unless its path is one they skip);
- it is JavaScript/TypeScript, Go, JVM, Ruby or SQL code under a path the pattern rules skip as
  vendored or built (`vendor/`, `dist/`, `build/`, `node_modules/`, `*.min.js`, a bundler's output under a
  `static/` folder whose name carries a content hash: `statistics-CTPcKvQh.js`);
- it is a Git LFS pointer standing for code, or a `.gitattributes` change that sets a `filter`
  or `working-tree-encoding` (the checked-out file would not be the bytes deploycheck read);
- it is a MyBatis mapper (an `.xml` file with `<mapper namespace=…>`) too large to read: its SQL
  runs against the application's tables and DC263 could not read it.

A JavaScript/TypeScript file under a skipped path that looks like a browser asset says so, with
the evidence, and stays flagged: Django serves its folder (a settings module, read with `ast` and
never run, lists it in `STATICFILES_DIRS` or `STATIC_ROOT`, or it is an installed app's `static/`
folder; at the base and at head) and no file at head names it except HTML templates,
documentation, source maps, ignore files and those settings. It is not lowered to `info`: a text
search cannot prove that nothing runs the file (a shell glob, a symlinked folder, a package.json
`exports` map or a package run by name escaped it in a red team). A folder that only ships to
browsers is excluded in the base branch's configuration.

The category is the file's role when its path tells it (`migration`, `job`, `queue`; `config`
for `.gitattributes`), else `shared-state`: unread code could hold any of the hazards, and shared state is where most of
them land. Test files are not reported (no rule analyses them), except a Python file under a test
path that production code loads (a non-test file at head imports it, names its module in a string, or runs it
from a Procfile or crontab):
it runs in production, unread.""",
    why_bad="""\
A gate that passes what it could not read can be walked around on purpose: one NUL byte in a
comment makes git call a JavaScript file binary while Node still runs it, and a `utf-7`
declaration hides a whole line of Python inside what every tool but Python reads as a comment.
It also fails by accident: a file written for Python 3.12 that deploycheck's Python 3.11 cannot
parse would otherwise pass unread, every time.""",
    known_problems="""\
The finding cannot be silenced by an inline `deploycheck: ignore[DC001]` comment (the comment
sits in the very file that could not be read); the base branch's configuration can switch it
off for paths that are legitimately opaque (`exclude:` globs, `disable: [DC001]`). Generated or
minified bundles over 2,000,000 bytes are reported every time they change. Parse failures are
reported only for Python files the Python rules had to read; a file that mentions no job, queue,
lock or write cannot produce a finding even when parsed.

The browser-asset evidence is read from text: a server that runs a served bundle through a path
built at run time (`node $(ls dist/*.js)`), or imports its private package by a path that does
not spell the package's folder name, is not seen, and the bundle is `info`. The other way round,
a folder built from the environment, an absolute or relative string, or settings Django reaches
only through `from .base import *` in a module not named like settings prove nothing, and any
other file naming the bundle (a bundler's configuration, a form's `Media`, a test) keeps it
`high`. Only Django's static files are recognised, and only when the base branch's settings
serve the folder too: a branch that adds the folder to its settings cannot lower DC001 for a
bundle it changes in the same push.""",
    example="""\
# inventory/jobs.py, with a PEP 263 declaration that changes what the bytes mean
# -*- coding: utf-7 -*-
def reserve_stock(order_id):
    # harmless comment+AAo-    item.stock = item.stock - 1+AAo-    item.save()
    pass

# web/frontend/dist/app.js, rebuilt: `info`, not `high`, when web/shop/settings.py says
#     STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
# and only a template names app.js; `high` again once a Procfile says
#     worker: node web/frontend/dist/app.js""",
    use_instead="""\
# Commit code as plain UTF-8 text that the Python of your project parses, with a code extension;
# run deploycheck in CI on the project's own Python version; vendor submodule code or review it
# separately and exclude its path in the base branch's .deploycheck/config.yaml.
def reserve_stock(order_id):
    Item.objects.filter(id=order_id, stock__gt=0).update(stock=F("stock") - 1)""",
)

RULES = (NOT_ANALYSED,)
# Findings of these rules cannot be silenced by a comment in the file: scan._suppression.
UNSUPPRESSIBLE = frozenset({NOT_ANALYSED.id})

# Extensions of source files that run (or are compiled into what runs) in production. Stubs and
# declarations (.pyi, .d.ts) do not run.
CODE_EXTENSIONS = frozenset(
    "py pyw js mjs cjs jsx ts tsx mts cts rb rake go java kt kts scala groovy clj php cs fs vb rs "
    "swift ex exs erl hs lua pl pm sh bash zsh ps1 r jl dart c cc cpp cxx h hpp m mm sql pyx".split()
)
# Code the pattern packs read, and the paths they skip by convention as vendored or built code
# (rules/paths.is_test_or_doc): code there runs in production, yet no rule reads it.
PACK_CODE_EXTENSIONS = frozenset("js jsx mjs cjs ts tsx mts cts go java kt rb rake sql".split())
_VENDORED_OR_BUILT = r"(?:^|/)(?:vendor|dist|build|node_modules)/|\.min\.js$|" + BUNDLER_OUTPUT
# What the pattern packs skip (paths.is_test_or_doc) because it is a test or holds no code
# that runs in production: test folders and names (any case: `Tests/`, `x_TEST.js`), type
# declarations (`.d.ts` hold no code) and CI folders. Everything else they skip (vendor/, build/,
# docs/, each in any case, `Latest.java`) is code that can run unread: DC001 (red team, issue 15).
# Code named for a read-me or a change log (`readme-x.js`, `changelog_job.rb`) is read since session 29.
_PACK_SKIPS_AS_NOT_PRODUCTION = re.compile(
    r"(?i:(?:^|/)(?:tests?|spec|specs|__tests__|__mocks__|testdata|test_data|fixtures?|e2e)/)"
    r"|(?i:(?:^|/)(?:test_[^/]*|[^/]*_test\.\w+|[^/]*_spec\.rb|[^/]*\.(?:test|spec)\.[jt]sx?)$)"
    r"|Tests?\.(?:java|kt)$|\.d\.[cm]?ts$"
    # Gradle's test-fixture and integration-test source sets, which only tests load (bitwarden's
    # `network/src/testFixtures/`, apps-ae d817f6b4: DC001 high twice).
    r"|(?:^|/)src/(?:testFixtures|integrationTest|intTest)/"
    r"|(?i:(?:^|/)\.(?:github|circleci|gitlab|buildkite)/)"
    rf"|(?i:{TEST_SUPPORT}|{DEV_TOOL_CONFIG})|{CUCUMBER_STEPS}|{MOCKS}|{PREVIEWS}"
    # A schema script kept with the documentation (xxl-job's `doc/db/tables_xxl_job.sql`): what an
    # operator runs by hand to install, never loaded by a running service or its migrations.
    r"|(?i:(?:^|/)docs?/(?:[^/]+/)*[^/]+\.sql$)"
)
# Compiled code a runtime loads directly: its source is not part of the change.
# `.pyz`: a zipapp, Python source in a zip that `python app.pyz` runs (red team 3).
COMPILED_EXTENSIONS = frozenset("pyc pyo pyd so dylib dll class jar war ear node wasm whl egg pyz".split())
# Interpreters whose scripts deploycheck has rules for, on a `#!` line.
_SHEBANG = rb"^#![^\n]*\b(?:python[\d.]*|node|nodejs|deno|bun|ts-node|ruby)\b"
_TEST_FILE = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__|__mocks__|testing)/|(?:^|/)test_[^/]*$|_test\.\w+$|_spec\.rb$"
    r"|\.(?:test|spec)\.[jt]sx?$|Tests?\.(?:java|kt)$|(?:^|/)conftest\.py$"
)
_TESTING_MODULE = re.compile(r"(?:^|/)testing\.py$")
_QUEUE_PATH = r"(?i)queue|consumer|subscriber|listener|broker|kafka|rabbit|sqs|pubsub|handlers?\b"
_JOB_PATH = r"(?i)(?:^|/|_)(?:tasks?|jobs?|workers?|cron\w*|schedul\w*|celery\w*|sidekiq|beat)(?:/|\.|_|$)"

# PEP 263: a coding declaration on line 1, or on line 2 below a comment or blank line.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")
_BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(rb"\r(?!\n)")
# A Git LFS pointer's lines, as they appear added in a -U0 hunk: the code itself is elsewhere.
# Patterns kept as text are compiled on first use (re caches them): they serve rare files only,
# and this module is imported by every git hook.
_LFS_POINTER = (b"\n+version https://git-lfs.github.com/spec/", b"\n+oid sha256:")
# Attributes that make the checked-out file differ from the blob deploycheck reads.
_CHECKOUT_CHANGING = r"(?:^|\s)-?(?:filter|working-tree-encoding)(?:=|\s|$)"


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rpartition(".")[2].lower() if "." in name.lstrip(".") else ""


def may_be_code(path: str) -> bool:
    """Whether ``path``'s extension names source or compiled code."""
    ext = _extension(path)
    return ext in CODE_EXTENSIONS or ext in COMPILED_EXTENSIONS


def _declared_encoding(data: bytes) -> str | None:
    lines = data.split(b"\n", 2)
    m = _COOKIE.match(lines[0])
    if m is None and len(lines) > 1 and _BLANK_OR_COMMENT.match(lines[0]):
        m = _COOKIE.match(lines[1])
    return m.group(1).decode("ascii") if m else None


def python_source_text(data: bytes) -> tuple[str | None, str | None]:
    """``(text, None)`` decoded as Python decodes a source file (PEP 263 declaration, UTF-8
    byte-order mark, else strict UTF-8), or ``(None, why)`` when deploycheck cannot read it the
    way Python does. A declared codec is accepted only when every ASCII byte keeps its meaning
    (latin-1, cp1252, …): under `utf-7` or Shift-JIS the diff's lines and keywords, which every
    pre-filter reads, would not be the code Python runs."""
    declared = _declared_encoding(data)
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    codec = "utf-8"
    if declared is not None:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            return None, f"its coding declaration names an unknown encoding {declared!r}"
        if data.startswith(_BOM) and codec != "utf-8":
            return None, f"it starts with a UTF-8 byte-order mark but declares the encoding {declared!r}"
    lone_cr = _LONE_CR.search(body)
    if lone_cr is not None:
        return None, (
            f"it breaks a line with a lone carriage return (byte {lone_cr.start() + len(data) - len(body):,}), which "
            "Python reads as a new line and git does not, so the diff's lines are not Python's. Use LF or CRLF line endings"
        )
    nul = body.find(b"\x00")
    if nul >= 0:
        return None, f"it contains a NUL byte at byte {nul + len(data) - len(body):,}"
    try:
        text = body.decode(codec)
    except LookupError:  # `rot13`, `base64`, `zlib`: codecs, but no text encodings (Python refuses them too)
        return None, f"its coding declaration names {declared!r}, which is not a text encoding"
    except UnicodeDecodeError as exc:
        where = exc.start + (len(data) - len(body))
        return None, f"it is not valid {codec} (byte {where:,}: {exc.reason}), which is how Python would decode it"
    if codec != "utf-8" and text.encode("ascii", "ignore") != body.decode("ascii", "ignore").encode("ascii"):
        return None, (
            f"its coding declaration {declared!r} makes plain ASCII bytes mean something else (in utf-7, "
            "'+AAo-' is a newline), so the code Python runs is not the text of the diff"
        )
    return text, None


def reads_whole_head(fc: FileChange) -> bool:
    """Whether ``detect`` reads the head of non-Python ``fc`` whole (to know it is not too
    large): a changed, text code file outside tests. ``scan.likely_reads`` fetches those ahead."""
    return (
        fc.kind == "file" and not fc.binary and fc.new_path is not None
        and _extension(fc.path) in CODE_EXTENSIONS and not is_test_path(fc.path) and not _TEST_FILE.search(fc.path)
    )


def unread_code(ctx: FileContext) -> bool:
    """Whether ``ctx``'s head is a code file too large to read whole: DC001 reports it, so the
    pattern packs need not run their line regexes over what little they could see of it."""
    fc = ctx.file
    return (
        fc.kind == "file" and not fc.binary and fc.new_path is not None and bool(fc.new_blob)
        and _extension(fc.path) in CODE_EXTENSIONS and ctx.head_text() is None
    )


def _role(ctx: FileContext) -> str:
    """The category of the file's role, judged from its path: see the rule's documentation."""
    path = ctx.path
    if path.rsplit("/", 1)[-1] == ".gitattributes":
        return "config"
    if path.endswith(".py") and migration_kind(path) is not None or "/migrations/" in f"/{path}":
        return "migration"
    if job_by_path(ctx) or re.search(_JOB_PATH, path):
        return "job"
    if re.search(_QUEUE_PATH, path.rsplit("/", 1)[-1]):
        return "queue"
    return NOT_ANALYSED.category


def _first_added_line(ctx: FileContext) -> int:
    return min(ctx.added) if ctx.added else 1


def _read_raw(ctx: FileContext) -> bytes | None:
    read_blob = ctx.cache.get("read_blob")
    blob = ctx.file.new_blob
    return read_blob(blob) if read_blob is not None and blob else None


def _binary_reason(ctx: FileContext) -> str:
    data = _read_raw(ctx)
    if data is None:
        return "git treats it as binary and it is larger than 2,000,000 bytes (git calls files over 10 MB binary)"
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"git treats it as binary: it contains a NUL byte at byte {nul:,} (the runtime may still load it)"
    return "git treats it as binary (a git attribute of this clone, $GIT_DIR/info/attributes, says so)"


def _parse_failure(ctx: FileContext, text: str) -> str:
    """Why the parsed head of ``ctx`` is missing; a syntax error's line is kept in the cache."""
    from .python.source import parse_failure, running_python

    version = running_python()
    advice = f"; if the project runs a newer Python, run deploycheck in CI on the project's Python, not {version}"
    failed = parse_failure(text)
    if failed is not None:
        message, line = failed
        if line is not None:
            ctx.cache["not-analysed.line"] = line
            return f"{version}, which runs deploycheck, cannot parse it ({message}, line {line}){advice}"
        return f"{version}, which runs deploycheck, cannot parse it ({message}){advice}"
    return (
        "its code nests deeper than deploycheck's analysis can follow (Python's recursion limit); "
        "Python itself runs it. Flatten the nested expression"
    )


def _identifiers_python_rewrites(ctx: FileContext, text: str) -> str | None:
    """Why an added Python line does not say what Python runs: an identifier that Python folds
    to another one (NFKC, PEP 3131): `product.ｓａｖｅ()` calls `save`, but every pre-filter and
    pattern reads the characters as written, so a lost update spelt in full-width letters passed
    as nothing flagged (red team 3). Accented letters are NFKC already and stay readable."""
    import io
    import tokenize
    import unicodedata

    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            word = token.string
            if token.type == tokenize.NAME and token.start[0] in ctx.added and not word.isascii():
                folded = unicodedata.normalize("NFKC", word)
                if folded != word:
                    ctx.cache["not-analysed.line"] = token.start[0]
                    return (f"line {token.start[0]} spells the name {folded!r} with characters Python folds to it (NFKC), "
                            "so what Python runs is not the text deploycheck reads. Write the name in plain letters")
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None  # what does not tokenise does not parse either: the parse check below reports it
    return None


def _python_reason(ctx: FileContext) -> str | None:
    """Why the Python rules could not read the head side of a changed .py file, or None."""
    from .python.gate import may_report

    text = ctx.head_text()
    unread = ctx.cache.get("unread", {}).get("head")
    if unread:
        return unread
    if text is not None and not ctx.changed_lower().isascii():
        rewritten = _identifiers_python_rewrites(ctx, text)
        if rewritten is not None:
            return rewritten
    if text is None or not may_report(ctx):
        return None  # nothing to read, or nothing any Python rule could report on
    from .python.source import module_for

    if module_for(ctx, "head") is not None:
        return None
    return _parse_failure(ctx, text)


_SKIPPED_PATH = (
    "its path is one the pattern rules skip as vendored or built code, or as documentation (vendor/, dist/, build/, "
    "node_modules/, Yarn's .yarn/ and .pnp.cjs, *.min.js, a bundler's hashed output under static/, docs/ "
    "outside a documentation site's src/, in any case)"
)
_SKIPPED_PATH_RUNS = (
    ", yet it runs. If that is right for this path, exclude it in the base branch's .deploycheck/config.yaml"
)


# The Gradle and Maven wrappers' jars: they download and start the build tool on a developer's or
# CI machine, and no deployed process loads them (komga's wrapper upgrade, apps-s 827a72e6).
_BUILD_WRAPPER = re.compile(r"(?:^|/)gradle/wrapper/gradle-wrapper\.jar$|(?:^|/)\.mvn/wrapper/maven-wrapper\.jar$")


def _submodule_reason(fc: FileChange) -> str:
    """Why a submodule is not read, and how its author reviews what the branch brings in. The
    superproject holds only the commit ids (a gitlink), not the submodule's objects: a CI checkout
    usually fetches none, so reading them where a clone happens to hold them would make the same
    change pass on one machine and fail on another. The reviewer gets the range and the commands
    that show it, or scan it, in the submodule's own clone."""
    old = fc.old_blob if fc.old_mode == "160000" else None
    new = fc.new_blob if fc.new_mode == "160000" else None
    where = shlex.quote(fc.path)
    fetch = f"`git submodule update --init -- {where}`"
    if old and new:
        return (
            f"it is a git submodule moved from commit {old[:12]} to {new[:12]}: deploycheck does not read another "
            f"repository's code. To see what the move brings in, run {fetch}, then `git -C {where} log -p "
            f"{old[:12]}..{new[:12]}` (or, in {fc.path}, `deploycheck scan --base {old[:12]} --head {new[:12]}`)"
        )
    return (
        f"it is a git submodule, now at commit {(new or '')[:12]}: deploycheck does not read another repository's "
        f"code. Review that commit's code: {fetch} checks it out"
    )


def _reason(ctx: FileContext) -> str | None:
    fc = ctx.file
    ext = _extension(fc.path)
    if fc.kind == "submodule":
        return _submodule_reason(fc)
    if fc.kind == "symlink":
        if ext in CODE_EXTENSIONS or ext in COMPILED_EXTENSIONS:
            target = next(iter(ctx.added.values()), "?")
            return f"it is a symbolic link to {target!r}: the code that runs under this name is not analysed here"
        if not ext:
            # Perhaps a folder: `inventory/workers -> ../tests/helpers` makes production import
            # code that is stored, and so judged, as a test (red team, issue 15).
            target = next(iter(ctx.added.values()), "?")
            return (
                f"it is a symbolic link to {target!r}, perhaps a folder: code reached through it runs under this name "
                "but is judged by the path it is stored at (a test folder is read by no rule)"
            )
        target = next(iter(ctx.added.values()), "")
        if _links_to_a_folder(ctx, target):
            # `web/workers.d -> ../test/fixtures`: Node requires `./workers.d/reserve.js`, stored
            # (and judged) as a test fixture; a dot in the name hid it from the check above (red team 3).
            return (
                f"it is a symbolic link to the folder {target!r}: code reached through it runs under this name "
                "but is judged by the path it is stored at (a test folder is read by no rule)"
            )
        return None
    if fc.path.rsplit("/", 1)[-1] == ".gitattributes":
        for number, text in ctx.added.items():
            if not text.lstrip().startswith("#") and re.search(_CHECKOUT_CHANGING, text):
                ctx.cache["not-analysed.line"] = number
                return (
                    f"it sets a checkout filter or encoding ({text.strip()[:60]!r}): the files it names are not, once "
                    "checked out, the bytes git stores and deploycheck reads"
                )
        return None
    if ext in CODE_EXTENSIONS and any(marker in fc.hunk_bytes for marker in _LFS_POINTER):
        text = ctx.head_text() or ""
        if text.startswith("version https://git-lfs.github.com/spec/"):
            return "it is a Git LFS pointer: the code that is checked out and runs is stored outside the repository"
    if ext in COMPILED_EXTENSIONS and not _BUILD_WRAPPER.search(fc.path):
        return f"it is compiled code (.{ext}) whose source is not part of the change"
    if ext in CODE_EXTENSIONS:
        if fc.binary:
            return _binary_reason(ctx)
        if ext == "py" and fc.path.endswith(".py"):
            return _python_reason(ctx)
        if ext in ("py", "pyw", "pyx"):
            # `python bin/worker.pyw` (or `.PY`) runs it, and Cython compiles `.pyx` into what is
            # imported, but the Python rules read `*.py` alone (red team 3).
            return f"it is Python code named `.{fc.path.rpartition('.')[2]}`, and the Python rules read only `.py` files"
        if ext == "java":
            escaped = _java_escaped_syntax(ctx)
            if escaped is not None:
                return escaped
        if ext in _JS_EXTENSIONS and any("\\u" in text for text in ctx.added.values()):
            escaped = _js_escaped_identifier(ctx)
            if escaped is not None:
                return escaped
        if ctx.head_text() is None:
            return ctx.cache.get("unread", {}).get("head")
        if ext in PACK_CODE_EXTENSIONS and _packs_skip_as_production_code(fc.path):
            return _SKIPPED_PATH + _SKIPPED_PATH_RUNS
        return None
    if ext == "xml" and fc.kind == "file" and not fc.binary and ctx.head_text() is None and _mybatis_mapper(ctx):
        # DC263 reads a mapper's statements; one too large to read runs unread.
        return ("it is a MyBatis mapper too large to read: its SQL statements run in production against the "
                "application's tables, and no rule read them")
    # Ruby the Ruby rules (which read `.rb` and `.rake`) never see, though it runs in production:
    # `rake inventory:reserve` from a crontab runs the Rakefile's tasks; a Rack server runs
    # config.ru (red team 3).
    if fc.kind == "file" and not fc.binary and (fc.path.rsplit("/", 1)[-1] in ("Rakefile", "rakefile") or ext == "ru"):
        return "it is Ruby code (a Rakefile's tasks, or a Rack `.ru` file) that runs in production, and no rule reads it"
    # Executable or not: `python bin/reserve` runs a 0644 script just as well (red team, issue 15).
    if not ext and fc.new_mode in ("100755", "100644") and not fc.binary:
        data = _read_raw(ctx)
        if data is not None and re.match(_SHEBANG, data):
            from .paths import is_test_or_doc
            from .trees.langs import language_of_file

            if language_of_file(ctx) is not None and not is_test_or_doc(ctx.path):
                return None  # a Ruby or Node script: its rules read it as they read `.rb` or `.js` files
            name = data.split(b"\n", 1)[0].decode("utf-8", "replace")[:60]
            kind = "an executable script" if fc.new_mode == "100755" else "a script (not marked executable, but `python FILE` runs it)"
            return f"it is {kind} ({name}) without a code extension, so no language's rules read it"
    return None


# MyBatis's mapper files: `<mapper namespace="…">` holding the statements a Java mapper interface
# runs (lenve/vhr's `MailSendLogMapper.xml`, whose `count = count + 1` a branch can turn into a
# plain write after the record is signed). Test paths are tests, as for code.
_MYBATIS_MAPPER = re.compile(rb"<mapper\s[^>]*\bnamespace\s*=")


def _mybatis_mapper(ctx: FileContext) -> bool:
    """Whether the changed `.xml` file, too large to read whole, starts as a MyBatis mapper does."""
    from .paths import is_test_or_doc

    if is_test_or_doc(ctx.path):
        return False
    data = _read_raw(ctx)
    if data is None:  # not even its start could be read: a mapper's usual name says it
        return re.search(r"(?i)mapper[^/]*\.xml$", ctx.path) is not None
    return _MYBATIS_MAPPER.search(data[:200_000]) is not None


# A Java Unicode escape (JLS 3.3): javac turns `\u000a` into a line break before it reads comments
# or strings, so `// note \u000a evil();` runs evil(). A backslash starts one only after an even
# number of backslashes (`"\\u0041"` is text).
_JAVA_ESCAPE = r"(?<!\\)(?:\\\\)*\\u+([0-9A-Fa-f]{4})"


_JS_EXTENSIONS = frozenset("js jsx mjs cjs ts tsx mts cts".split())


def _js_escaped_identifier(ctx: FileContext) -> str | None:
    """Why an added JavaScript/TypeScript line is not what the pattern rules read: a name written
    with a Unicode escape outside strings and comments (`p.\\u0073ave()` is `p.save()` to Node,
    an unknown name to every pattern; red team 3). Escapes inside strings are text and stay; so
    does one that stands for no letter of a name (`/[\\u0000-\\u0020]/` in a regular expression
    literal, which the lexer leaves as code: openreplay's URL sanitizer)."""
    from .patterns.lex import lex

    text = ctx.head_text()
    if text is None:
        return None
    code = lex(text, "c").code.split("\n")
    raw = text.split("\n")
    for number in sorted(ctx.added):
        if 0 < number <= len(code):
            # Code: the line less its regular expression literals (`/[\\u0300-\\u036f]/g` strips
            # accents in every slugify), plus what template literals substitute (`${…}` is code,
            # which the lexer blanked with the literal's text: red team, session 23).
            line = _without_regex_literals(code[number - 1]) + " " + " ".join(
                _SUBSTITUTION.findall(raw[number - 1] if number <= len(raw) else ""))
            m = next((m for m in re.finditer(r"\\u(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]+)\})", line)
                      if _name_letter(int(m.group(1) or m.group(2), 16))), None)
            if m is not None:
                ctx.cache["not-analysed.line"] = number
                return (f"line {number} writes a name with the Unicode escape {m.group(0)}, which the runtime reads as the "
                        "letter it stands for and no pattern does. Write the name in plain letters")
    return None


_SUBSTITUTION = re.compile(r"\$\{([^`}]*)\}")
# Where a `/` starts a regular expression literal rather than divides: after an operator, an
# opening bracket, a comma or the start of the line, or after `return`/`typeof` and their kind.
_REGEX_START = re.compile(r"(?:^|[=(,:\[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|in|of|void|yield|await|delete))\s*$")


def _without_regex_literals(line: str) -> str:
    """``line`` with the text of its regular expression literals blanked (their slashes kept):
    a character class's `\\u0300-\\u036f` is no name. A `/` starts one where an operand is
    expected (``_REGEX_START``); it ends at the next unescaped `/` outside a `[…]` class, or with
    the line."""
    out = list(line)
    i = 0
    while i < len(line):
        if line[i] == "/" and line[i + 1:i + 2] not in ("/", "*") and _REGEX_START.search(line[:i]):
            j, in_class = i + 1, False
            while j < len(line):
                c = line[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[":
                    in_class = True
                elif c == "]":
                    in_class = False
                elif c == "/" and not in_class:
                    break
                j += 1
            # No closing slash: the lexer took a quote inside the literal (`/[\\u00C0-\\u024F' -]/`)
            # for a string's start and blanked the rest; where an operand was expected, it is one.
            for k in range(i + 1, min(j, len(line))):
                out[k] = " "
            i = j + 1
            continue
        i += 1
    return "".join(out)


def _name_letter(code: int) -> bool:
    """Whether the code point can be part of a JavaScript name (a letter, a digit, `$`, `_`)."""
    if code > 0x10FFFF:
        return False
    c = chr(code)
    return c == "$" or ("a" + c).isidentifier()


def _java_escaped_syntax(ctx: FileContext) -> str | None:
    """Why an added Java line is not what javac reads: a Unicode escape that spells a line break
    or a printable ASCII character (a quote, `*/`, a newline in a comment) changes where comments
    and strings end for javac alone; every other reader, the tree rules and a reviewer included,
    sees text (red team 3). Escaped letters outside ASCII and control characters in strings are
    left alone."""
    for number in sorted(ctx.added):
        for m in re.finditer(_JAVA_ESCAPE, ctx.added[number]):
            code = int(m.group(1), 16)
            if code in (0x0A, 0x0D) or 0x20 <= code < 0x7F:
                ctx.cache["not-analysed.line"] = number
                shown = "a line break" if code in (0x0A, 0x0D) else repr(chr(code))
                return (
                    f"line {number} holds the Unicode escape \\u{m.group(1)} ({shown}), which javac reads as that character "
                    "before it reads comments and strings, so the code it compiles is not the text deploycheck (or a reviewer) "
                    "reads. Write the character itself"
                )
    return None


def _links_to_a_folder(ctx: FileContext, target: str) -> bool:
    """Whether symlink ``ctx``'s target is a folder of the repository at head."""
    import posixpath

    if ctx.repo is None or not target or target.startswith("/") or "\n" in target:
        return False
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.path), target))
    if resolved.startswith("../") or resolved in (".", ".."):
        return False
    from ..git import gitcmd

    proc = gitcmd.run(["cat-file", "-t", f"{ctx.repo.head_sha}:{resolved}"], ctx.repo.root, check=False)
    return proc.returncode == 0 and proc.stdout.strip() == b"tree"


def _packs_skip_as_production_code(path: str) -> bool:
    """Whether the packs read nothing of ``path`` though it is not a test: see
    ``_PACK_SKIPS_AS_NOT_PRODUCTION``."""
    from .paths import is_test_or_doc

    return is_test_or_doc(path) and (
        bool(re.search(_VENDORED_OR_BUILT, path)) or not _PACK_SKIPS_AS_NOT_PRODUCTION.search(path)
    )


# A test-like part of a module name: the only names that can make a file under a test path run in
# production. One `git grep` per scan lists the production files that mention one; those are read.
_TESTISH_PART = r"tests?|testing|conftest|test_\w+|\w+_test"  # a module name part that makes a test path
_TEST_WORD = rf"\b({_TESTISH_PART})\b"
_imports_memo: dict[tuple[str, str], dict[str, list[str]]] = {}
# Files that describe code rather than run it: a mention there loads nothing. CI and test-runner
# configuration runs tests, not production.
_DOC_EXTENSIONS = frozenset("md rst txt adoc".split())
_CI_FILES = frozenset({".gitlab-ci.yml", ".travis.yml", "Jenkinsfile", "azure-pipelines.yml", "bitbucket-pipelines.yml",
                       ".pre-commit-config.yaml", "tox.ini", "noxfile.py", "pytest.ini",
                       # test runners at a project's root (huey's runtests.py imports its tests)
                       "runtests.py", "run_tests.py", "runtest.py",
                       # documentation builders: mkdocstrings' `::: nautobot.apps.testing` names a
                       # module to document, not one to run
                       "mkdocs.yml", "mkdocs.yaml", ".readthedocs.yml", ".readthedocs.yaml"})
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
# A string that is a whole dotted path: a file name or a sentence in a string is no module.
_MODULE_STRING = re.compile(r"[A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)+")
# A Python file run by path (`python tests/x.py` in a crontab); `pytest tests/x.py` runs a test.
_PY_RUN = re.compile(r"\bpython[\d.]*\s+(?:-[A-Za-z]+\s+)*([\w./-]+\.py)\b")


def _module_parts(path: str) -> list[str]:
    """The parts of Python file ``path``'s dotted name from the repository's root (a package's
    ``__init__.py`` is the package)."""
    parts = path[:-3].split("/")
    return parts[:-1] if parts[-1] == "__init__" else parts


def _module_names(path: str) -> set[str]:
    """Dotted names ``path`` may be imported as: every tail of its folders that still holds the
    part making it a test path (src layouts and nested packages import it by a shorter name)."""
    parts = _module_parts(path)
    testish = [i for i, part in enumerate(parts) if re.fullmatch(_TESTISH_PART, part)]
    return {".".join(parts[start:]) for start in range(len(parts)) if testish and testish[-1] >= start}


def _with_prefixes(module: str, into: set[str]) -> None:
    """``a.b.c`` loads ``a``, ``a.b`` and ``a.b.c``."""
    parts = module.strip().split(".")
    into.update(".".join(parts[:end]) for end in range(1, len(parts) + 1) if all(parts[:end]))


def _python_loads(data: bytes, importer: str) -> set[str]:
    """The modules Python source ``data`` (at path ``importer``) imports, and every dotted name in
    one of its strings (`importlib.import_module("tests.x")`, Celery's `include=[...]`, a dotted
    task path), each with its prefixes. Read with ``ast`` (never run), so imports wrapped in
    parentheses or after a backslash (as isort and black write long ones) or a `;` are seen;
    a file that does not parse here counts for every dotted name in its text."""
    import ast

    out: set[str] = set()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        for name in _DOTTED.findall(data.decode("utf-8", "replace")):
            _with_prefixes(name, out)
        return out
    package = importer.split("/")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                _with_prefixes(alias.name, out)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else (package if node.level else [])
            module = ".".join(base + ([node.module] if node.module else []))
            if module:
                _with_prefixes(module, out)
            for alias in node.names:
                _with_prefixes(f"{module}.{alias.name}" if module else alias.name, out)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _MODULE_STRING.fullmatch(node.value.strip()):
            _with_prefixes(node.value.strip().replace(":", "."), out)  # `pkg.mod:attr` as entry points write it
    return out


def _text_loads(data: bytes) -> set[str]:
    """What a production file in another language may load: dotted names (`celery -A tests.x`,
    `python -m tests.x`) and Python files it runs by path (`python tests/x.py`)."""
    text = data.decode("utf-8", "replace")
    out = set(_DOTTED.findall(text))
    out.update(path[:-3].lstrip("./").replace("/", ".") for path in _PY_RUN.findall(text))
    return out


def _production_imports(repo) -> dict[str, list[str]]:
    """Module name -> the first production (non-test) file at head that loads it, or else every
    `testing.py` module that does (each is followed to its own importers: any one of them may
    be the one production code imports), for every
    production file whose text holds a test-like name (Python read as Python; Procfiles,
    crontabs, compose files read for dotted names and `.py` paths). Memoised per repository and
    head commit. Red team 3: a one-line pattern missed wrapped imports, `;` and strings."""
    key = (repo.root, repo.head_sha)
    if key not in _imports_memo:
        from ..git import gitcmd

        # Every file read as text, whatever the branch's .gitattributes say (`*.py -diff` hid every
        # importer; red team 3): binary content is skipped below.
        paths = gitcmd.grep_files(repo.root, repo.head_sha, [_TEST_WORD], extended=True,
                                  what="imports of test modules")
        paths = sorted(p for p in paths if not is_test_path(p) and not _TEST_FILE.search(p)
                       and not _PACK_SKIPS_AS_NOT_PRODUCTION.search(p) and _extension(p) not in _DOC_EXTENSIONS
                       and p.rsplit("/", 1)[-1] not in _CI_FILES)
        found: dict[str, list[str]] = {}
        if paths:
            with gitcmd.BlobReader(repo.root) as objects:
                for importer in paths:
                    data = objects.blob(repo.head_sha, importer)
                    if data is None or len(data) > 2_000_000 or b"\0" in data[:8000]:
                        continue
                    names = _python_loads(data, importer) if importer.endswith((".py", ".pyw")) else _text_loads(data)
                    for name in names:
                        have = found.setdefault(name, [])
                        if _TESTING_MODULE.search(importer):
                            if not have or _TESTING_MODULE.search(have[0]):
                                have.append(importer)
                        else:
                            have[:] = [importer]  # a production importer is named before any `testing.py`
        _imports_memo[key] = found
    return _imports_memo[key]


def _test_file_production_imports(ctx: FileContext) -> str | None:
    """The production file importing changed Python file ``ctx`` that sits under a test path
    (where no rule reads it), or None."""
    if ctx.repo is None or not ctx.path.endswith(".py") or ctx.file.kind != "file":
        return None
    return _importer_of(ctx.repo, ctx.path, set())


def _importer_of(repo, path: str, seen: set[str]) -> str | None:
    imports = _production_imports(repo)
    parts = _module_parts(path)
    for name in sorted(_module_names(path)):
        hits = list(imports.get(name, ()))
        # A package holding the file counts when each __init__.py from it down imports the next
        # part (`import tests.helpers` runs tests/helpers/__init__.py, which imports .reserve).
        tail = name.split(".")
        start = len(parts) - len(tail)
        for end in range(len(tail) - 1, 0, -1):
            package = ".".join(tail[:end])
            if package in imports and _inits_import_down(repo, parts, start + end):
                hits += imports[package]
        production = [hit for hit in hits if not _TESTING_MODULE.search(hit)]
        if production:
            return production[0]
        for hit in hits:
            # A `testing.py` module is test support, as a `testing/` folder is (nautobot's
            # apps/testing.py gives plugin authors its test cases): what it imports runs in
            # production only when production code imports the module in turn.
            if hit not in seen:
                seen.add(hit)
                deeper = _importer_of(repo, hit, seen)
                if deeper is not None:
                    return f"{deeper}, through {hit}"
    return None


def _inits_import_down(repo, parts: list[str], depth: int) -> bool:
    """Whether the __init__.py of folder ``parts[:depth]`` imports ``parts[depth]``, and so on
    down to the module itself (each read at head)."""
    from ..git import gitcmd

    for level in range(depth, len(parts)):
        folder, child = "/".join(parts[:level]), re.escape(parts[level])
        proc = gitcmd.run(["cat-file", "blob", f"{repo.head_sha}:{folder}/__init__.py"], repo.root, check=False)
        text = proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""
        if not re.search(rf"from\s+\.{child}\b|from\s+\.\s+import\b[^#\n]*\b{child}\b|import\s+\*|\b{child}\b\s*=\s*import_module", text):
            return False
    return True


# --- a browser asset Django serves (rules/static_assets.py holds the pure part) --------------

_settings_memo: dict[tuple[str, str], list] = {}
# Where code that imports a package is: JavaScript, TypeScript, and package.json dependencies.
_IMPORTER_PATHSPEC = ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.mts", "*.cts", "*package.json")


def _maybe_browser_asset(ctx: FileContext) -> bool:
    """Whether ``ctx`` is a JavaScript/TypeScript file stored where the packs skip it as built or
    vendored code: the only files the static-asset evidence is looked for. Cheap: path only."""
    from .static_assets import JS_EXTENSIONS

    return (
        ctx.file.kind == "file" and _extension(ctx.path) in JS_EXTENSIONS
        and "\n" not in ctx.path and _packs_skip_as_production_code(ctx.path)
    )


def _grep_head(repo, patterns: list[str], pathspec: tuple[str, ...] = (), ignore_case: bool = True, rev: str | None = None) -> set[str]:
    """Paths at head (or at ``rev``) holding any of the fixed strings ``patterns``."""
    from ..git import gitcmd

    return set(gitcmd.grep_files(repo.root, rev or repo.head_sha, patterns, pathspec, ignore_case=ignore_case,
                                 what="what serves or runs a built file"))


def _django_settings(repo, rev: str) -> list:
    """What every Django settings module at ``rev`` says about static files (static_assets.
    SettingsFacts), read with ``ast``. Memoised per repository and commit: several built files of
    one change ask the same."""
    key = (repo.root, rev)
    if key not in _settings_memo:
        from .static_assets import SETTINGS_WORDS, is_settings_module, named_settings_modules, settings_facts

        texts: dict[str, bytes] = {}
        for path in sorted(_grep_head(repo, list(SETTINGS_WORDS), ignore_case=False, rev=rev)):
            if not is_test_path(path) and not _TEST_FILE.search(path) and _extension(path) not in _DOC_EXTENSIONS:
                data = repo.read_blob(f"{rev}:{path}")  # None past the scan's size limit
                if data is not None and b"\0" not in data[:8000]:
                    texts[path] = data
        named: set[str] = set()
        for data in texts.values():
            if b"DJANGO_SETTINGS_MODULE" in data:
                named |= named_settings_modules(data.decode("utf-8", "replace"))
        found = [settings_facts(path, data) for path, data in texts.items() if is_settings_module(path, named)]
        _settings_memo[key] = [facts for facts in found if facts is not None]
    return _settings_memo[key]


def _django_app_marker(repo, rev: str, folder: str) -> str | None:
    """The file that makes ``folder`` a Django app at ``rev`` (apps.py, models.py), or None."""
    from ..git import gitcmd

    proc = gitcmd.run(["ls-tree", "--name-only", "-z", rev, "--", f"{folder}/"], repo.root, check=False)
    names = {p.rsplit("/", 1)[-1] for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p}
    return next((name for name in ("apps.py", "models.py", "models") if name in names), None)


def _browser_asset(ctx: FileContext) -> str | None:
    """The evidence that changed file ``ctx`` is a browser asset Django serves and that nothing at
    head runs on the server (rules/static_assets.py), or None: DC001 then stays as it is."""
    from ..util.safe import inert
    from .static_assets import describes_only, import_patterns, mention_patterns, package_use, served_by

    repo, asset = ctx.repo, ctx.path
    base = getattr(getattr(ctx.settings, "base_files", None), "rev", None)
    if repo is None or not base:
        return None

    def served_at(rev: str):
        settings = _django_settings(repo, rev)
        return served_by(asset, settings, lambda folder: _django_app_marker(repo, rev, folder)) if settings else None

    # The branch cannot vouch for itself (docs/security-model.md): the base branch's settings
    # must serve the file too, so a settings change on the branch cannot lower DC001.
    served = served_at(repo.head_sha)
    if served is None or served_at(base) is None:
        return None
    why, serving = served
    patterns = mention_patterns(asset)
    mentions = _grep_head(repo, patterns)
    packages = {p for p in mentions if p.rsplit("/", 1)[-1] == "package.json"}
    if any(not describes_only(p, asset, serving) for p in mentions - packages):
        return None
    # A package.json above the asset may make it the package's entry without naming it (index.js).
    folder = asset
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        packages.add(f"{folder}/package.json")
    packages.add("package.json")
    entries = []
    for path in sorted(packages):
        data = repo.read_blob(f"{repo.head_sha}:{path}")
        if data is None and path not in mentions:
            continue  # no package.json in that folder
        use = package_use(path, data, asset, patterns)  # one it cannot read "runs" it
        if use.kind == "runs" or use.kind == "entry" and not use.private:
            return None  # run by Node, or a published package whatever imports it may run
        if use.kind == "entry":
            entries.append(use)
    for use in entries:
        # A private package is loaded only by code that imports it by name or folder, or by a
        # package that depends on it (a workspace): any of those at head cancels the evidence.
        importers = _grep_head(repo, import_patterns(use), _IMPORTER_PATHSPEC) - {asset, use.path}
        if importers:
            return None
        why += (f"; {use.path} makes it the `{use.field}` of the private package {use.name or '(unnamed)'}, which no "
                "JavaScript and no other package.json at head imports")
    shown = ", ".join(f"'{p}'" for p in patterns)
    return inert(
        f"{why}; and no file at head that could run it on the server (a package.json script or bin, Procfile, "
        f"Dockerfile, compose file, service unit, supervisor config, shell script, code) names it (searched for {shown})",
        keep_newlines=False,
    )


def detect(ctx: FileContext) -> list[Finding]:
    fc = ctx.file
    if fc.new_path is None:
        return []  # a deleted file runs nowhere
    if is_test_path(ctx.path) or _TEST_FILE.search(ctx.path):
        # Test files are analysed by no rule, unless production code imports them: then they
        # run in production unread (docs/security-model.md, "What the gate reads").
        importer = _test_file_production_imports(ctx)
        if importer is None:
            return []
        from ..util.safe import inert

        message = (
            f"deploycheck could not analyse this file: it is under a test path, which no rule reads, but production "
            f"code imports it ({inert(importer, keep_newlines=False)}). Nothing in it was checked, so review it by hand, "
            "or move the module out of the test path"
        )
        finding = NOT_ANALYSED.finding(ctx.path, _first_added_line(ctx), message + ".")
        finding.category = _role(ctx)
        return [finding]
    reason = _reason(ctx)
    if reason is None:
        return []
    message = f"deploycheck could not analyse this file: {reason}. Nothing in it was checked, so review it by hand"
    browser = _browser_asset(ctx) if _maybe_browser_asset(ctx) else None
    if browser is not None:
        # The evidence is said, but it lowers nothing: a text search cannot show that nothing runs
        # the file (a shell glob, a symlinked folder, an `exports` map, a package run by name all
        # escaped it; red team of session 7). The base branch's config decides instead.
        reason = reason.removesuffix(_SKIPPED_PATH_RUNS)
        message = (
            f"deploycheck could not analyse this file: {reason}. It looks like a browser asset: {browser}. "
            "A text search cannot prove that no server runs it, so it stays flagged; if the folder only ships to "
            "browsers, exclude it in the base branch's .deploycheck/config.yaml (`exclude:`). Nothing in it was checked"
        )
    line = ctx.cache.get("not-analysed.line")
    finding = NOT_ANALYSED.finding(ctx.path, line if line in ctx.added else _first_added_line(ctx), message + ".")
    finding.category = _role(ctx)
    return [finding]


DETECTORS = (detect,)
