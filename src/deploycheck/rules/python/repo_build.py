"""Building the job index of a head commit (see repo_index for what it is and how it is used).

Steps, each bounded:

1. ``git ls-tree -r`` lists the Python files at head with their blob ids (the module map).
2. Files whose blob has no summary in the cache are pre-filtered by ``git grep -l -F -i`` over
   the head tree with the words any job, dispatcher or worker needs (git's C, multi-threaded
   search; Python never walks every file). Only matching files ("candidates") are read,
   through the scan's ``cat-file --batch``, parsed and summarised; a summary depends only on
   the blob's bytes, so it is cached by blob id.
3. Entry points: the per-file job map of jobs in every candidate (decorators, base classes,
   runners in the same file), what candidates hand to a runner or a dispatcher across modules
   (``Thread(target=workers.loop)``, ``dispatch(tasks.general_delete, ...)``,
   ``app.register_task(SyncTask())``, ``post_save.connect(handlers.on_save)``), dotted strings
   in beat schedules (``{"task": "shop.tasks.sync"}``), subclasses of job classes in other
   modules, every function of a management command, of a ``job_paths`` file, of a worker loop
   module, and of the job system's own code (see ``LIBRARIES``).
4. Reach: from the entry points, breadth first, through the calls each function makes,
   resolved by name through the module's definitions and imports (``from billing import
   charge``; ``import billing.helpers as h; h.charge()``; ``Syncer(order).run()`` reaches
   ``Syncer.__init__`` and ``Syncer.run``; ``self.step()`` the class's method). Modules reached
   this way are read and summarised too.

Caps: at most ``MAX_FILES`` Python files summarised and a call depth of ``MAX_DEPTH``. An index
that hit a cap, or met a candidate it could not read or parse, says so (``incomplete``) and the
rules then flag every change they cannot place: failing closed.
"""

from __future__ import annotations

import ast
import os
import re

from ...git import gitcmd
from ..base import DetectorSettings
from .gate import JOB_TRIGGERS, is_test_path
from .repo_index import CACHE_FORMAT, JobIndex, read_json, write_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..base import RepoAt

MAX_FILES = 20_000  # Python files summarised for one index
MAX_DEPTH = 40  # calls followed from an entry point
NOT_TEXT = "too large or not text"  # why a file has no summary when it was not parsed at all
MAX_BLOB = 1_000_000  # bytes: a larger file is not read (and, as a candidate, makes the index incomplete)
PARALLEL_PARSE = 64  # files to parse from which a second process is worth its fork
FEW_UNKNOWN = 200  # up to this many uncached files are named to git grep; more: it searches the tree

# Fixed strings (case-insensitive) a file must contain to define or name background code: the
# per-file job triggers plus project dispatchers, worker loops and beat schedules.
GREP_WORDS = tuple(sorted({
    *JOB_TRIGGERS, "dispatch", "register_task", "worker", "beat", "schedul", "daemon", "while", "defer",
    "submit(", "ensure_future", ".s(", ".si(", "signature(", "send_with_options",
    "_activity(", "_activity_method(",  # temporalio's execute_activity(f, …) and its forms
}))

# The job system's own code: package directory -> (a file whose presence beside it says it is
# that library, the modules and folders inside it that are background code by definition). A
# repository that is the library (``rq/worker.py`` at the root) and one that vendors it
# (``vendor/rq/worker.py``) are recognised the same way: by the library's layout in the tree.
# A queue library or scheduler found in the tree (its own repository, or a vendored copy): the
# package's __init__.py beside a marker module. All of its modules are background code by
# definition (issue 16: workers, brokers, schedulers, result backends and the helpers they
# share all run inside workers), tests excepted.
LIBRARIES: dict[str, str] = {
    "celery": "app/task.py", "rq": "job.py", "dramatiq": "actor.py", "huey": "consumer.py",
    "arq": "worker.py", "apscheduler": "job.py", "django_q": "cluster.py", "kombu": "messaging.py",
}
# Other layouts of the same libraries: APScheduler 4 has no job.py (src/apscheduler/_structures.py,
# _schedulers/), but every version keeps its cron trigger package.
_OTHER_LAYOUTS: dict[str, str] = {"apscheduler": "triggers/cron/__init__.py"}
_LIBRARY_KINDS = {
    "celery": "Celery", "rq": "RQ", "dramatiq": "Dramatiq", "huey": "Huey", "arq": "arq", "apscheduler": "APScheduler",
    "django_q": "django-q", "kombu": "Kombu",
}

# Modules whose loops are a worker's main loop (project-specific workers, e.g. pulpcore's).
_LOOP_MODULES = {"worker", "workers", "consumer", "consumers", "scheduler", "daemon", "beat"}
_LOOP_CLASSES = ("Worker", "Consumer", "Scheduler", "Daemon")

# Calls that hand a function (first argument, or the keyword named) to a project dispatcher.
DISPATCHERS = {
    "dispatch": "job dispatched by `dispatch()`", "register_task": "task registered with `register_task()`",
    "add_task": "background task (`add_task()`)", "defer": "job deferred with `defer()`",
    "enqueue_task": "job (`enqueue_task()`)", "submit_task": "job (`submit_task()`)",
    "schedule_task": "job (`schedule_task()`)", "run_in_background": "job (`run_in_background()`)",
}
_FUNC_KEYWORDS = ("func", "fn", "function", "task", "target", "callable")
# Calls that load an object from its dotted path: handing over ``import_string("a.b.f")`` hands over ``a.b.f``.
_IMPORTERS = ("import_string", "import_by_path", "locate")
# ``ScriptJob.enqueue(instance=…)``: a class that enqueues itself (no function handed over) is a
# job class, its methods run by the worker (netbox's JobRunner and similar project frameworks).
_SELF_ENQUEUES = ("enqueue", "enqueue_once")
# Runner calls: tail -> (what, positional index of the function or None, keywords that name it).
RUNNERS = {
    "Thread": ("thread", None, ("target",)), "Timer": ("thread", 1, ("function",)),
    "Process": ("worker process", None, ("target",)), "submit": ("pool worker", 0, ("fn",)),
    "run_in_executor": ("executor worker", 1, ()), "to_thread": ("thread", 0, ()),
    "start_new_thread": ("thread", 0, ()), "enqueue": ("RQ job", 0, ("f", "func")),
    "enqueue_call": ("RQ job", 0, ("func",)), "enqueue_in": ("RQ job", 1, ("func",)),
    "enqueue_at": ("RQ job", 1, ("func",)), "add_job": ("APScheduler job", 0, ("func",)),
    "basic_consume": ("RabbitMQ consumer", 1, ("on_message_callback",)), "send_task": ("Celery task", 0, ("name",)),
    "async_task": ("django-q task", 0, ("func",)), "connect": ("Django signal receiver", 0, ("receiver",)),
    "create_task": ("asyncio task", 0, ()), "ensure_future": ("asyncio task", 0, ()),
    "shared_task": ("Celery task", 0, ()), "task": ("Celery task", 0, ()), "actor": ("Dramatiq actor", 0, ()),
    "map": ("pool worker", 0, ("func",)), "imap_unordered": ("pool worker", 0, ("func",)),
    "apply_async": ("pool worker", 0, ("func",)),
    # temporalio: what a workflow schedules as an activity runs on a worker (rules/python/jobs.py).
    **{name: ("Temporal activity", 0, ("activity",)) for name in (
        "execute_activity", "start_activity", "execute_local_activity", "start_local_activity",
        "execute_activity_method", "start_activity_method", "execute_local_activity_method",
        "start_local_activity_method")},
}
_POOLISH = ("pool", "executor")
_ON_RECEIVER = {"delay": "Celery task", "apply_async": "Celery task", "s": "Celery task", "si": "Celery task", "signature": "Celery task", "send_with_options": "Dramatiq actor"}
_KEYWORD_RUNNERS = {"python_callable": "Airflow task", "on_message_callback": "RabbitMQ consumer"}
# temporalio's `Worker(client, task_queue=…, workflows=[…], activities=[…])`: what it registers.
_WORKER_KEYWORDS = {"activities": "Temporal activity", "workflows": "Temporal workflow"}
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)+")


# ---- one file: its summary (cached by blob id) ----------------------------------------------


class _Settingsless:
    """What jobs.job_map asks of a FileContext: no job_paths (applied per path, later)."""

    path = ""
    settings = DetectorSettings()


def _ref(node: ast.AST | None) -> str | None:
    """How a function is named where it is handed over: ``f``, ``tasks.f``, ``self.f``, a
    dotted string ``"shop.tasks.f"`` (as ``=shop.tasks.f``); None for anything else."""
    from .source import dotted, last_name

    if isinstance(node, ast.Call):  # partial(f, x), SyncTask(), cron(f)
        if last_name(node.func) in ("partial", "cron") and node.args:
            return _ref(node.args[0])
        if last_name(node.func) in _IMPORTERS and node.args:  # import_string("core.jobs.sync"): that function
            return _ref(node.args[0]) if isinstance(node.args[0], ast.Constant) else None
        return _ref(node.func)
    if isinstance(node, (ast.Name, ast.Attribute)):
        text = dotted(node)
        return text if "(" not in text and "[" not in text and "?" not in text else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _DOTTED.fullmatch(node.value):
        return "=" + node.value.replace(":", ".")
    return None


def _arg(call: ast.Call, index: int | None, keywords: tuple[str, ...]) -> list[ast.AST]:
    out: list[ast.AST] = [kw.value for kw in call.keywords if kw.arg in keywords]
    if index is not None and len(call.args) > index:
        out.append(call.args[index])
    return out


def _handed_over(call: ast.Call) -> list[tuple[str, str]]:
    """(reference, what) for each function this call hands to a runner or dispatcher."""
    from .jobs import SCHEDULER_RECEIVER, SCHEDULING_VERB
    from .source import dotted, last_name

    tail = last_name(call.func)
    recv = call.func.value if isinstance(call.func, ast.Attribute) else None
    recv_text = dotted(recv) if recv is not None else ""
    out: list[tuple[str, str]] = []
    nodes: list[tuple[ast.AST, str]] = []
    for kw in call.keywords:
        if kw.arg in _KEYWORD_RUNNERS:
            nodes.append((kw.value, _KEYWORD_RUNNERS[kw.arg]))
        elif kw.arg in _WORKER_KEYWORDS and tail == "Worker":
            nodes.append((kw.value, _WORKER_KEYWORDS[kw.arg]))
    if tail in DISPATCHERS and recv_text.split(".")[0] not in ("self", "cls", "super()"):
        nodes += [(n, DISPATCHERS[tail]) for n in _arg(call, 0, _FUNC_KEYWORDS)]
    elif tail in RUNNERS:
        what, index, keywords = RUNNERS[tail]
        if tail in ("map", "imap_unordered", "apply_async") and not any(w in recv_text.lower() for w in _POOLISH):
            pass
        elif tail == "connect" and not recv_text:
            pass
        else:
            nodes += [(n, what) for n in _arg(call, index, keywords)]
    elif SCHEDULER_RECEIVER.search(recv_text) and SCHEDULING_VERB.fullmatch(tail):
        nodes += [(n, "scheduled task") for n in [*call.args, *_arg(call, None, _FUNC_KEYWORDS)]]
    if tail in _ON_RECEIVER and recv is not None and "(" not in recv_text:
        nodes.append((recv, _ON_RECEIVER[tail]))
    if (
        tail in _SELF_ENQUEUES and not call.args and isinstance(recv, (ast.Name, ast.Attribute))
        and last_name(recv)[:1].isupper() and not any(kw.arg in ("f", "func") for kw in call.keywords)
    ):
        nodes.append((recv, f"job class enqueued by `{recv_text}.{tail}()`"))
    for node, what in nodes:
        if isinstance(node, ast.Lambda):  # Thread(target=lambda: sync(order)): what the lambda calls
            for sub in ast.walk(node.body):
                if isinstance(sub, ast.Call):
                    ref = _ref(sub.func)
                    if ref:
                        out.append((ref, what))
            continue
        for item in node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]:
            ref = _ref(item)
            if ref and ref not in ("self", "cls"):
                out.append((ref, what))
    return out


def _class_kinds(module, while_lines: list[int]) -> dict[str, list]:
    """Classes whose methods run as background code, by what they are: [what, run_only]."""
    from .jobs import _class_kind

    out: dict[str, list] = {}
    for cls in module.classes:
        found = _class_kind(cls.bases, module)
        if found:
            out[cls.qualname] = [found[0].what, found[1]]
            continue
        for base in cls.bases:
            tail = base.rsplit(".", 1)[-1]
            source = module.imported_names.get(base.split(".")[0], base)
            package = source.lstrip(".").split(".")[0]
            if tail == "Worker" and package in ("rq", "django_rq"):
                out[cls.qualname] = ["RQ worker class", False]
            elif tail in ("WorkController", "Consumer", "Request") and package in ("celery", "kombu"):
                out[cls.qualname] = ["Celery worker class", False]
            elif tail in ("Worker", "Consumer") and package in ("dramatiq", "huey", "arq"):
                out[cls.qualname] = [f"{package} worker class", False]
        if cls.qualname not in out and cls.qualname.rsplit(".", 1)[-1].endswith(_LOOP_CLASSES):
            if any(cls.node.lineno <= line <= (cls.node.end_lineno or 0) for line in while_lines):
                out[cls.qualname] = ["worker loop class", False]
    return out


def summarize(text: str) -> dict:
    """What the index needs of one file, independent of its path (so it is cached by blob id).

    f: qualname -> [start, end, [references made inside]]; c: class qualname -> [bases];
    i: local name -> "LEVEL:dotted target" (imports); e: qualname -> [what, line] (the file's own
    job map); x: [[reference, what, line, scope], ...] (functions handed to runners/dispatchers,
    beat schedules' dotted strings); k: class qualname -> [what, run_only]; w: functions with a
    ``while`` loop (a worker's main loop in a worker module)."""
    # Imported here: an index with nothing to parse (most git hooks) never loads the analysers.
    from .source import build_module, dotted, last_name, parse_failure

    module = build_module(text)
    if module is None:
        # What the parser said and where, for the finding that the index is incomplete (DC104).
        failed = parse_failure(text)
        if failed is None:
            return {"bad": "nested deeper than the analysis can follow"}
        message, line = failed
        return {"bad": f"{message}, line {line}" if line is not None else message}
    from .jobs import job_map

    jobs = job_map(module, "", _Settingsless())  # type: ignore[arg-type]  # duck-typed: no settings
    functions: dict[str, list] = {}
    for fn in module.functions:
        functions[fn.qualname] = [fn.start, fn.end, []]
    refs: dict[str, set[str]] = {q: set() for q in functions}
    handed: list[list] = []
    for call, scope in module.calls:
        bucket = refs.get(scope)
        if bucket is not None and call.lineno < module.by_qualname[scope].node.lineno:
            bucket = None  # a decorator's arguments run once, at import, not in the function
        if bucket is not None:
            text_ = dotted(call.func)
            if "(" in text_ or "[" in text_ or "?" in text_:
                bucket.add("." + last_name(call.func))  # x().run(): a method named run, of a class the function names
            else:
                bucket.add(text_)
            for arg in [*call.args, *(kw.value for kw in call.keywords)]:
                ref = _ref(arg) if isinstance(arg, (ast.Name, ast.Attribute)) else None
                if ref:
                    bucket.add(ref)  # map(helper, rows): a function handed to another
        for ref, what in _handed_over(call):
            handed.append([ref, what, call.lineno, scope])
    imports: dict[str, str] = {}
    while_lines: list[int] = []
    for node in ast.walk(module.tree):  # one walk: parsing and indexing already cost enough
        if isinstance(node, ast.Dict):  # beat schedules: {"task": "shop.tasks.sync", ...}
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "task" and isinstance(value, ast.Constant):
                    ref = _ref(value)
                    if ref:
                        handed.append([ref, "Celery beat schedule entry", value.lineno, ""])
        elif isinstance(node, ast.While):
            while_lines.append(node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = f"0:{alias.name}"
                else:
                    imports[alias.name.split(".")[0]] = f"0:{alias.name.split('.')[0]}"
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            for alias in node.names:
                if alias.name != "*":
                    imports[alias.asname or alias.name] = f"{node.level}:{base + '.' if base else ''}{alias.name}"
    for qual, bucket in refs.items():
        functions[qual][2] = sorted(bucket)
    loops = sorted({fn.qualname for fn in map(module.function_at, while_lines) if fn is not None})
    return {
        "f": functions,
        "c": {cls.qualname: cls.bases for cls in module.classes},
        "cl": {cls.qualname: cls.node.lineno for cls in module.classes},
        "i": imports,
        "e": {q: [kind.what, module.by_qualname[q].node.lineno] for q, kind in jobs.items() if q in module.by_qualname},
        "x": handed,
        "k": _class_kinds(module, while_lines),
        "w": loops,
    }


def is_candidate(text: str) -> bool:
    lower = text.lower()
    return any(map(lower.__contains__, GREP_WORDS))


# ---- the repository at head -----------------------------------------------------------------


def module_name(path: str) -> str:
    """``shop/tasks.py`` -> ``shop.tasks``; ``shop/__init__.py`` -> ``shop``."""
    stem = path[:-3]
    if stem.endswith("/__init__") or stem == "__init__":
        stem = stem[: -len("__init__")].rstrip("/")
    return stem.replace("/", ".")


def _package(path: str) -> list[str]:
    parts = module_name(path).split(".") if module_name(path) else []
    return parts if path.endswith("__init__.py") else parts[:-1]


def library_files(paths: list[str]) -> dict[str, str]:
    """Path -> "<Library>'s own code" for the job system's own modules in the tree."""
    present = set(paths)
    out: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")
        for i, part in enumerate(parts[:-1]):
            layout = LIBRARIES.get(part)
            if layout is None:
                continue
            prefix = "/".join(parts[: i + 1]) + "/"
            marked = prefix + layout in present or prefix + _OTHER_LAYOUTS.get(part, layout) in present
            if prefix + "__init__.py" not in present or not marked or is_test_path(path):
                continue
            out[path] = f"{_LIBRARY_KINDS[part]}'s own code"
            break
    return out


class Builder:
    def __init__(self, repo: RepoAt, folder: str, use_cache: bool = True) -> None:
        self.repo = repo
        self.folder = folder
        self.blob_file = os.path.join(folder, "blobs.json")
        cached = read_json(self.blob_file) if use_cache else None
        blobs = cached.get("blobs") if cached else None
        self.blobs: dict = blobs if isinstance(blobs, dict) else {}
        self.dirty = False
        self.paths: dict[str, str] = {}  # path -> blob id, Python files at head
        self.modules: dict[str, str] = {}  # dotted module -> path
        self.suffixes: dict[str, list[str]] = {}  # trailing dotted part -> paths (src/ layouts)
        self.used: set[str] = set()
        self.problems: list[str] = []
        self.capped = ""
        self.library: dict[str, str] = {}
        self.stats = {"python_files": 0, "candidates": 0, "parsed": 0, "summaries_used": 0}

    # -- git --

    def list_tree(self) -> None:
        with gitcmd.stream(["ls-tree", "-r", "-z", "--full-tree", self.repo.head_sha], self.repo.root) as out:
            data = out.read()
        for entry in data.split(b"\0"):
            if not entry:
                continue
            meta, _, raw = entry.partition(b"\t")
            mode, kind, oid = meta.split(b" ")
            path = raw.decode("utf-8", "surrogateescape")
            if kind == b"blob" and mode in (b"100644", b"100755") and path.endswith(".py"):
                self.paths[path] = oid.decode("ascii")
        for path in self.paths:
            name = module_name(path)
            self.modules[name] = path
            parts = name.split(".")
            for i in range(1, len(parts)):
                self.suffixes.setdefault(".".join(parts[i:]), []).append(path)
        self.stats["python_files"] = len(self.paths)

    def grep(self, paths: list[str] | None) -> set[str]:
        """Paths at head containing a GREP_WORDS string (all Python files, or ``paths``)."""
        # Every file read as text: git decides "binary" from .gitattributes, which the branch under
        # test controls (`*.py binary` would hide every job); content that is not text fails closed later.
        pathspec = [f":(literal){p}" for p in paths] if paths is not None else ["*.py"]
        return set(gitcmd.grep_files(self.repo.root, self.repo.head_sha, GREP_WORDS, pathspec, ignore_case=True,
                                     what="the job index's candidate files"))

    def candidates(self) -> list[str]:
        """Python files (not tests) that may define or name background code, in path order; the
        uncached ones are read and summarised here, through one streamed ``cat-file --batch``."""
        # Test files are never entry points and never reached (gate.is_test_path): not read.
        unknown = [p for p in self.paths if self.paths[p] not in self.blobs and not is_test_path(p)]
        if unknown:
            # git grep over the whole tree, or over the few files not seen before (a new commit).
            matched = self.grep(None if len(unknown) > FEW_UNKNOWN else unknown) & set(unknown)
            if matched:
                self._read(sorted(matched))
        for path in unknown:
            if self.paths[path] not in self.blobs:
                self.blobs[self.paths[path]] = 0  # not a candidate: never read again
                self.dirty = True
        out = []
        for path in sorted(self.paths):
            entry = self.blobs.get(self.paths[path])
            if isinstance(entry, dict) and entry.get("cand") and not is_test_path(path):
                out.append(path)
        self.stats["candidates"] = len(out)
        return out

    def _read(self, paths: list[str]) -> None:
        oids = [self.paths[p] for p in paths]
        texts: list[tuple[str, str]] = []
        unreadable = 0
        with gitcmd.BlobStream(self.repo.root, oids, MAX_BLOB) as ahead:
            for oid in oids:
                found, data = ahead.take(oid)
                if not found:
                    data = self.repo.read_blob(oid)
                text = data.decode("utf-8", "surrogateescape") if data is not None and b"\0" not in data[:8000] else None
                if text is None:
                    self.blobs[oid] = {"cand": True, "bad": NOT_TEXT}
                    self.dirty = True
                    unreadable += 1
                else:
                    texts.append((oid, text))
        # Parsing is CPU-bound Python: two processes when there are many files (analysis.pipeline).
        from ...util.parallel import in_two_processes

        summaries = in_two_processes(texts, lambda part: [summarize(text) for _oid, text in part], PARALLEL_PARSE)
        for (oid, _text), summary in zip(texts, summaries):
            self.blobs[oid] = {"cand": True, **summary}
        self.stats["parsed"] += len(texts) + unreadable
        self.dirty = self.dirty or bool(texts)

    def summary(self, path: str) -> dict | None:
        """The summary of ``path`` (read and parsed if needed); None past the file cap or unusable."""
        oid = self.paths.get(path)
        if oid is None:
            return None
        if path not in self.used:
            if len(self.used) >= MAX_FILES:
                self.capped = self.capped or f"more than {MAX_FILES} Python files to look at"
                return None
            self.used.add(path)
        entry = self.blobs.get(oid)
        if not isinstance(entry, dict) or ("f" not in entry and "bad" not in entry):
            # Not read yet: a module reached through an import (0: git grep passed it over).
            data = self.repo.read_blob(oid)
            text = data.decode("utf-8", "surrogateescape") if data is not None and b"\0" not in data[:8000] else None
            if text is None:
                entry = {"cand": False, "bad": NOT_TEXT}
            else:
                entry = {"cand": is_candidate(text), **summarize(text)}
            self.blobs[oid] = entry
            self.stats["parsed"] += 1
            self.dirty = True
        return None if "bad" in entry else entry

    # -- names --

    def find_module(self, name: str) -> list[str]:
        if name in self.modules:
            return [self.modules[name]]
        found = self.suffixes.get(name, [])
        return found if 0 < len(found) <= 3 else []

    def absolute(self, path: str, target: str) -> str:
        level_text, _, name = target.partition(":")
        level = int(level_text or 0)
        if not level:
            return name
        package = _package(path)
        package = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join([*package, name] if name else package)

    def resolve_dotted(self, full: str, hops: int = 0) -> list[tuple[str, str]]:
        """(path, qualname) of the function or class ``full`` names (``shop.tasks.sync``)."""
        parts = full.split(".")
        for i in range(len(parts) - 1, 0, -1):
            paths = self.find_module(".".join(parts[:i]))
            if not paths:
                continue
            out = []
            for path in paths:
                summary = self.summary(path)
                if summary is None:
                    continue
                qual = ".".join(parts[i:])
                if qual in summary["f"] or qual in summary["c"]:
                    out.append((path, qual))
                elif parts[i] in summary["i"] and hops < 3:  # re-exported: from .helpers import charge
                    rest = ".".join(parts[i + 1:])
                    target = self.absolute(path, summary["i"][parts[i]])
                    out += self.resolve_dotted(f"{target}.{rest}" if rest else target, hops + 1)
            if out:
                return out
        return []

    def resolve(self, path: str, summary: dict, scope: str, ref: str) -> list[tuple[str, str]]:
        if ref.startswith("="):
            return self.resolve_dotted(ref[1:])
        parts = ref.split(".")
        if parts[0] in ("self", "cls") and len(parts) == 2:
            return self.methods_of(path, summary, self.class_of(summary, scope), parts[1])
        prefixes = scope.split(".") if scope else []
        for i in range(len(prefixes), -1, -1):
            candidate = ".".join([*prefixes[:i], ref])
            if candidate in summary["f"] or candidate in summary["c"]:
                return [(path, candidate)]
        if parts[0] in summary["i"]:
            target = self.absolute(path, summary["i"][parts[0]])
            return self.resolve_dotted(".".join([target, *parts[1:]]))
        return []

    @staticmethod
    def class_of(summary: dict, scope: str) -> str | None:
        parts = scope.split(".")
        for i in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:i])
            if name in summary["c"]:
                return name
        return None

    def methods_of(self, path: str, summary: dict, cls: str | None, name: str, depth: int = 0) -> list[tuple[str, str]]:
        """``cls.name`` in ``path``, or in the first of its bases (followed through imports) that has it."""
        if cls is None or depth > 5:
            return []
        if f"{cls}.{name}" in summary["f"]:
            return [(path, f"{cls}.{name}")]
        for base in summary["c"].get(cls, []):
            for base_path, base_cls in self.resolve(path, summary, cls.rpartition(".")[0], base):
                base_summary = self.summary(base_path)
                if base_summary is not None and base_cls in base_summary["c"]:
                    found = self.methods_of(base_path, base_summary, base_cls, name, depth + 1)
                    if found:
                        return found
        return []

    # -- the index --

    def build(self) -> JobIndex:
        self.list_tree()
        candidates = self.candidates()
        entries: list[tuple[str, str, str, str]] = []  # (path, qualname, what, origin)
        job_paths = tuple(self.repo.job_paths)
        from ...git import pathglob

        by_path: dict[str, str] = {}
        self.library = library_files(sorted(self.paths))
        by_path.update(self.library)
        for path in self.paths:
            if is_test_path(path):
                continue
            if "/management/commands/" in f"/{path}" and not path.endswith("__init__.py"):
                by_path.setdefault(path, "Django management command")
            elif job_paths and pathglob.matches(path, job_paths):
                by_path.setdefault(path, "job (job_paths)")
        for path in sorted(by_path):
            summary = self.summary(path)
            if summary is None:
                self._problem(path)
                continue
            for qual, (start, _end, _refs) in summary["f"].items():
                entries.append((path, qual, by_path[path], f"{path}:{start}"))
        job_classes: dict[tuple[str, str], tuple[str, bool, str]] = {}
        for path in candidates:
            summary = self.summary(path)
            if summary is None:
                self._problem(path)
                continue
            for qual, (what, line) in summary["e"].items():
                entries.append((path, qual, what, f"{path}:{line}"))
            for cls, (what, run_only) in summary["k"].items():
                job_classes[(path, cls)] = (what, run_only, f"{path}:{summary['cl'][cls]}")
            for ref, what, line, scope in summary["x"]:
                for target in self.resolve(path, summary, scope, ref):
                    entries += self._entry_targets(target, what, f"{path}:{line}", job_classes)
            if module_name(path).rsplit(".", 1)[-1] in _LOOP_MODULES:
                for qual in summary["w"]:
                    entries.append((path, qual, "worker loop", f"{path}:{summary['f'][qual][0]}"))
        self._subclasses(candidates, job_classes)
        for (path, cls), (what, run_only, origin) in sorted(job_classes.items()):
            summary = self.summary(path)
            if summary is None:
                continue
            for qual in summary["f"]:
                if qual.startswith(cls + ".") and "." not in qual[len(cls) + 1:] and (not run_only or qual.endswith(".run")):
                    entries.append((path, qual, what, origin))
        index = self.reach(entries)
        self.save()
        return index

    def _entry_targets(self, target: tuple[str, str], what: str, origin: str, job_classes: dict) -> list[tuple[str, str, str, str]]:
        path, qual = target
        summary = self.summary(path)
        if summary is None:
            return []
        if qual in summary["c"]:  # app.register_task(SyncTask()): the class's methods
            job_classes.setdefault((path, qual), (what, False, origin))
            return []
        return [(path, qual, what, origin)]

    def _subclasses(self, candidates: list[str], job_classes: dict) -> None:
        """Classes whose base (in another module) is a job class are job classes too."""
        for _ in range(5):
            grew = False
            for path in candidates:
                summary = self.summary(path)
                if summary is None:
                    continue
                for cls, bases in summary["c"].items():
                    if (path, cls) in job_classes:
                        continue
                    for base in bases:
                        hits = [t for t in self.resolve(path, summary, cls.rpartition(".")[0], base) if t in job_classes]
                        if hits:
                            what, run_only, _ = job_classes[hits[0]]
                            job_classes[(path, cls)] = (what, run_only, f"{path}:{summary['cl'][cls]}")
                            grew = True
                            break
            if not grew:
                return

    def _problem(self, path: str) -> None:
        """Note a file that may define background code and has no summary (not the file cap:
        that is reported once, as such)."""
        entry = self.blobs.get(self.paths.get(path, ""))
        if not (isinstance(entry, dict) and "bad" in entry):
            return
        if len(self.problems) < 3:
            self.problems.append(f"{path}: {entry['bad']}")
        self.stats["unreadable"] = self.stats.get("unreadable", 0) + 1

    def reach(self, entries: list[tuple[str, str, str, str]]) -> JobIndex:
        nodes: dict[str, list] = {}
        frontier: list[tuple[str, str, int]] = []
        for path, qual, what, origin in sorted(entries):
            key = f"{path}::{qual}"
            summary = self.summary(path)
            if key in nodes or summary is None or qual not in summary["f"]:
                continue
            start, end, _ = summary["f"][qual]
            nodes[key] = [path, qual, start, end, None, what, origin]
            frontier.append((path, qual, 0))
        depth_capped = False
        while frontier:
            next_frontier = []
            for path, qual, depth in frontier:
                summary = self.summary(path)
                if summary is None:
                    continue
                for target in self.callees(path, summary, qual):
                    key = f"{target[0]}::{target[1]}"
                    if key in nodes or is_test_path(target[0]):
                        continue
                    if depth + 1 > MAX_DEPTH:
                        depth_capped = True
                        continue
                    target_summary = self.summary(target[0])
                    if target_summary is None:
                        continue
                    start, end, _ = target_summary["f"][target[1]]
                    nodes[key] = [target[0], target[1], start, end, f"{path}::{qual}", None, None]
                    next_frontier.append((target[0], target[1], depth + 1))
            frontier = next_frontier
        reasons = []
        if self.capped:
            reasons.append(self.capped)
        if depth_capped:
            reasons.append(f"call chains deeper than {MAX_DEPTH}")
        if self.problems:
            count = self.stats.get("unreadable", len(self.problems))
            from .source import running_python

            reasons.append(
                f"{count} file(s) that may define background code could not be read or parsed ({'; '.join(self.problems)})"
                + ("" if all(p.endswith(NOT_TEXT) for p in self.problems) else
                   f"; {running_python()} runs deploycheck: for syntax newer than it, run deploycheck under the project's Python")
            )
        self.stats["summaries_used"] = len(self.used)
        self.stats["reached"] = len(nodes)
        return JobIndex(list(nodes.values()), "; ".join(reasons), dict(self.stats), self.library)

    def callees(self, path: str, summary: dict, qual: str) -> list[tuple[str, str]]:
        """Functions ``qual`` calls or hands on, resolved by name (see the module docstring)."""
        refs = summary["f"][qual][2]
        out: list[tuple[str, str]] = []
        classes: list[tuple[str, str]] = []
        methods: set[str] = set()
        for ref in refs:
            if ref.startswith("."):
                methods.add(ref[1:])
                continue
            targets = self.resolve(path, summary, qual, ref)
            if not targets and "." in ref:
                methods.add(ref.rsplit(".", 1)[1])  # syncer.run() on a local: a method named run
            for target in targets:
                target_summary = self.summary(target[0])
                if target_summary is None:
                    continue
                if target[1] in target_summary["c"]:
                    classes.append(target)
                    for special in ("__init__", "__call__", "__post_init__"):
                        out += self.methods_of(target[0], target_summary, target[1], special)
                elif target[1] in target_summary["f"]:
                    out.append(target)
        for cls_path, cls in classes:
            cls_summary = self.summary(cls_path)
            if cls_summary is None:
                continue
            for name in sorted(methods):
                out += self.methods_of(cls_path, cls_summary, cls, name)
        # Nested functions are defined to be called by their parent: reaching it reaches them.
        out += [(path, q) for q in summary["f"] if q.startswith(qual + ".") and "." not in q[len(qual) + 1:]]
        return out

    def save(self) -> None:
        if self.dirty and self.repo.write_cache:
            live = set(self.paths.values())
            # Keep what this head uses plus the newest others, so the file does not grow forever.
            kept = {oid: v for oid, v in self.blobs.items() if oid in live}
            for oid, value in self.blobs.items():
                if len(kept) >= 4 * max(len(live), 1000):
                    break
                kept.setdefault(oid, value)
            write_json(self.blob_file, {"format": CACHE_FORMAT, "blobs": kept})


def build(repo: RepoAt, folder: str) -> JobIndex:
    try:
        return Builder(repo, folder, use_cache=repo.read_cache).build()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        # A blob cache of the right format but the wrong shape (edited, or written by a buggy
        # version): build again from the repository alone, and overwrite it.
        return Builder(repo, folder, use_cache=False).build()
