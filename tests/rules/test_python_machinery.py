"""DC101's scope in a Python job system's own code (rules/python/machinery.py), on real git
repositories laid out like RQ: its worker machinery carries the burden of proof, other functions
of the library are `info`, and machinery of the same module reaches its helpers by name."""

from __future__ import annotations

import ast

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.rules.python.machinery import evidence, module_machinery, statement_machinery

UTILS = '''def label(name):
    return "w:" + name


def _first(items):
    return items[0]


def take(conn, items):
    conn.lpush("busy", _first(items))
'''
BASE = {"rq/__init__.py": "", "rq/job.py": "class Job:\n    pass\n", "rq/utils.py": UTILS}


def _dc101(tmp_path, change: dict) -> list[tuple[int, str, str]]:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", change)
    return [(f.line, f.severity, f.message) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC101"]


def test_a_library_function_without_evidence_is_info(tmp_path) -> None:
    found = _dc101(tmp_path, {"rq/utils.py": UTILS.replace('"w:" + name', '"worker:" + name')})
    assert [(line, severity) for line, severity, _ in found] == [(2, "info")]
    assert "RQ's own code" in found[0][2] and "not read as worker machinery" in found[0][2]


def test_a_redis_write_is_machinery(tmp_path) -> None:
    found = _dc101(tmp_path, {"rq/utils.py": UTILS.replace('conn.lpush("busy"', 'conn.rpush("busy"')})
    assert [(line, severity) for line, severity, _ in found] == [(10, "warning")]
    assert "Worker machinery of the job system" in found[0][2]


def test_a_neutral_helper_of_machinery_in_its_module_is_machinery(tmp_path) -> None:
    found = _dc101(tmp_path, {"rq/utils.py": UTILS.replace("return items[0]", "return items[-1]")})
    assert [(line, severity) for line, severity, _ in found] == [(6, "warning")]
    assert "`take` of the same module, which is machinery, uses it" in found[0][2]


def _why(source: str, name: str) -> str | None:
    tree = ast.parse(source)
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)
    return evidence(fn) or module_machinery(tree).get(id(fn))


def test_evidence_kinds() -> None:
    assert _why("def f(self):\n    self.n = 1\n", "f") == "a write to `self.n`"
    assert _why("def __init__(self):\n    self.n = 1\n", "__init__") is None  # nobody else sees it yet
    assert _why("def f(self, x):\n    self.items.append(x)\n", "f") == "`self.items.append` changes state that outlives the call"
    assert _why("def f(db):\n    db.q('UPDATE jobs SET s = 1')\n", "f") == "SQL text (UPDATE jobs SET s = 1)"
    assert _why("def f():\n    global n\n    n = 1\n", "f") == "`global n`"
    assert _why("import threading\ndef f():\n    threading.Thread().start()\n", "f") == "`Thread`"
    assert _why("def claimable(q):\n    return q\n", "claimable") == "the name `claimable`"
    assert _why("class ResultBackend:\n    def set(self, k, v):\n        return k\n", "set") == "it belongs to `ResultBackend`"
    assert _why("def f(text):\n    return text.upper()\n", "f") is None


def test_module_level_state_is_shared_state() -> None:
    # A module-level registry or cache outlives the call as much as `self.x` does; a local does not.
    assert _why("CACHE = {}\ndef f(k, v):\n    CACHE[k] = v\n", "f") == "a write to `CACHE[k]`"
    assert _why("SEEN = []\ndef f(x):\n    SEEN.append(x)\n", "f") == "`SEEN.append` changes state that outlives the call"
    assert _why("def f(obj, v):\n    setattr(obj, 'n', v)\n", "f") == "`setattr`"
    assert _why("def f(k, v):\n    d = {}\n    d[k] = v\n    out = []\n    out.append(v)\n    return d, out\n", "f") is None
    assert _why("def f(items, v):\n    items.append(v)\n", "f") is None  # the caller's list (a documented limit)


def test_a_write_to_the_object_under_another_name_is_shared_state(tmp_path) -> None:
    # `me = self; me.n = …`, a method's first parameter called `job`: the object all the same.
    aliased = UTILS.replace('def label(name):\n    return "w:" + name',
                            'class Worker:\n    def label(job, name):\n        me = job\n        me.name = name\n        return name')
    found = _dc101(tmp_path, {"rq/utils.py": aliased})
    assert [severity for _, severity, _ in found] == ["warning"]
    assert "a write to `me.name`" in found[0][2]


def test_reflective_and_indirect_writes_are_shared_state() -> None:
    method = "class J:\n    def f(self, k, v):\n        {}\n"
    for body, why in [
        ("vars(self)[k] = v", "a write to `vars(self)[k]`"),
        ("object.__setattr__(self, k, v)", "`__setattr__`"),
        ("super().__setattr__(k, v)", "`__setattr__`"),
        ("operator.setitem(self.d, k, v)", "`setitem`"),
        ("getattr(self, k).append(v)", "`getattr(self, k).append` changes state that outlives the call"),
        ("(me := self).n = v", "a write to `(me := self).n`"),
        ("for self.n in v: pass", "a write to `self.n`"),
        ("(self.n, k) = v", "a write to `self.n`"),
        ("self.items.sort()", "`self.items.sort` changes state that outlives the call"),
        ("heapq.heappush(self.heap, v)", "`heappush(self.heap, …)` changes state that outlives the call"),
    ]:
        assert _why(method.format(body), "f") == why, body
    # Class state written from an instance, even in the constructor, outlives the object.
    assert _why("class J:\n    def __init__(self):\n        type(self).made = 1\n", "__init__") == "a write to `type(self).made`"
    # An imported module, or a mutable default kept from call to call, is not the call's own.
    assert _why("def f():\n    import rq.utils\n    rq.utils.LIMIT = 3\n", "f") == "a write to `rq.utils.LIMIT`"
    assert _why("def f(x, seen=[]):\n    seen.append(x)\n", "f") == "`seen.append` changes state that outlives the call"
    # A module-level object under a local name, or the module's namespace itself.
    assert _why("REG = {}\ndef f(k):\n    r = REG\n    r[k] = 1\n", "f") == "a write to `r[k]`"
    assert _why("JOBS = []\ndef f():\n    for j in JOBS:\n        j.n = 1\n", "f") == "a write to `j.n`"
    assert _why("def f(v):\n    globals()['X'] = v\n", "f") == "a write to `globals()['X']`"


def test_process_timing_and_broker_calls_are_machinery() -> None:
    assert _why("import os\ndef f(v):\n    os.putenv('X', v)\n", "f") == "`putenv`"
    assert _why("from signal import alarm\ndef f():\n    alarm(5)\n", "f") == "`alarm`"
    assert _why("from datetime import timedelta\ndef f():\n    return timedelta(seconds=5)\n", "f") == "`timedelta`"
    assert _why("def f(conn, k):\n    conn.set(k, 1)\n", "f") == "a call to `set`"
    assert _why("def f(conn, k):\n    conn.ltrim(k, 0, 5)\n", "f") == "a call to `ltrim`"
    assert _why("def f(ch, m):\n    ch.basic_publish(m)\n", "f") == "a call to `basic_publish`"
    assert _why("def f(t):\n    return t.s(countdown=5)\n", "f") == "the argument `countdown=`"
    assert _why("def f(conn, k):\n    return conn.blah(k, timeout=5)\n", "f") == "the argument `timeout=`"


PLATFORM = '''import os
import threading

if os.name != "nt":
    def spawn(fn):
        t = threading.Thread(target=fn)
        t.start()
        return t
else:
    def spawn(fn):
        return fn()


class Job:
    if os.name != "nt":
        def mark(self, n):
            self.n = n
'''


def test_functions_defined_under_if_or_twice_are_read(tmp_path) -> None:
    # Defined per platform: under `if` in a class, and twice at module level (the index keeps
    # one definition, and the change is to the other): both are still machinery.
    repo = make_repo(tmp_path / "r", {**BASE, "rq/utils.py": PLATFORM})
    make_branch(repo, "feature", {"rq/utils.py": PLATFORM.replace("t.start()", "t.daemon = True\n        t.start()")
                                   .replace("self.n = n", "self.n = n + 1")})
    changed = [(f.line, f.severity, f.message) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC101"]
    assert [(line, severity) for line, severity, _ in changed] == [(7, "warning"), (18, "warning")]
    assert "Worker machinery of the job system: `Thread`" in changed[0][2]
    assert "a write to `self.n`" in changed[1][2]


DEFAULTS = '''"""Defaults of the workers."""

DEFAULT_RESULT_TTL = 500
LOG_FORMAT = "%(message)s"
'''
CONSTANTS = '''import os

BATCH = 10


class Job:
    max_tries = 3
    colour = "red"

    def perform(self):
        self.done = self.max_tries

    def describe(self):
        return self.colour


def take(conn):
    conn.lpush("busy", BATCH)
'''


def test_constants_of_the_job_system_are_read(tmp_path) -> None:
    # A module of constants has no function at all, and a class attribute or a module-level
    # constant is none: once they came out with no finding. Now they are machinery when named
    # with the vocabulary or used by machinery of their module; others are `info`; a docstring
    # or comment says nothing.
    repo = make_repo(tmp_path / "r", {**BASE, "rq/defaults.py": DEFAULTS, "rq/utils.py": CONSTANTS})
    make_branch(repo, "feature", {
        "rq/defaults.py": DEFAULTS.replace("500", "50").replace("%(message)s", "%(asctime)s %(message)s")
                                  .replace("of the workers", "of RQ's workers"),
        "rq/utils.py": CONSTANTS.replace("BATCH = 10", "BATCH = 100  # larger").replace("max_tries = 3", "max_tries = 5")
                                .replace('"red"', '"blue"')})
    found = sorted((f.path, f.line, f.severity, f.message) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC101")
    assert [(path, line, severity) for path, line, severity, _ in found] == [
        ("rq/defaults.py", 3, "warning"), ("rq/defaults.py", 4, "info"),
        ("rq/utils.py", 3, "warning"), ("rq/utils.py", 7, "warning"), ("rq/utils.py", 8, "info")]
    assert "the name `DEFAULT_RESULT_TTL`" in found[0][3]
    assert "machinery of its module uses `BATCH`" in found[2][3]
    assert "machinery of its module uses `max_tries`" in found[3][3]


def test_statements_that_no_worker_reads_say_nothing() -> None:
    base = "import logging\nfrom .redis import Lock\n\n\ndef hold(conn):\n    return Lock(conn)\n"
    head = ("import logging\nimport sys\nfrom typing import TypeVar\nfrom .memcache import Lock\n"
            "logger = logging.getLogger(__name__)\nT = TypeVar('T')\nOPTIONS = {}\nOPTIONS['a'] = OPTIONS.pop('b', 1)\n"
            "\n\ndef hold(conn):\n    return Lock(conn)\n")
    found = statement_machinery(head, base, list(range(1, 9)))
    # Only the import that binds `Lock` to another class, which machinery (`hold`) uses, is read;
    # new imports, a logger, a type variable are not; an import-time write to a module-level
    # object is no worker's shared state (`info`).
    assert [(first, names, why) for first, _, names, why in found] == [
        (4, ["Lock"], "the name `Lock`"), (7, ["OPTIONS"], None), (8, [], None)]


def test_a_block_outside_functions_is_read_statement_by_statement() -> None:
    # A large module-level `if` holds names of the vocabulary somewhere; the removed alias in
    # it is judged alone (info), and a changed `backend` in it as itself (machinery).
    head = "import os\nHUEY = None\nif HUEY is None:\n    backend = os.environ.get('B')\n    cfg = {}\n    HUEY = cfg\n"
    base = head.replace("    HUEY = cfg\n", "    if 'backend_class' in cfg:\n        cfg['huey_class'] = cfg.pop('backend_class')\n    HUEY = cfg\n")
    assert [(first, why) for first, _, _, why in statement_machinery(base, head, [6, 7])] == [(6, None), (7, None)]
    assert statement_machinery(head.replace("'B'", "'C'"), head, [4]) == [(4, 4, ["backend"], "the name `backend`")]
