"""Values a changed function only logs, proved across modules (rules/python/logflow.py, issue 16):
a keyword handed to a helper in another module that only prints it, a flag stored on ``self``
that other modules read only for a log line. Real git repositories, the real scan."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.rules.python import repo_index as py_repo_index
from deploycheck.rules.python.equiv import proof_of_no_change
from deploycheck.rules.python.logflow import is_pure_function, module_paths, quiet_parameters

DIV = '''import sys


def dump_state(state, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    print("dumping", len(state), file=stderr)
    with open("/tmp/state", "w") as fh:
        fh.write(repr(state))
'''

TASKS = '''import sys

from celery import shared_task

from shop.util.div import dump_state
from .text import shorten
from .runner import Runner


@shared_task
def restore(ids, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    dump_state(ids, stderr=stderr)


@shared_task
def run(queue):
    Runner(queue).once()
'''

RUNNER = '''import logging

from .text import shorten

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, queue):
        self.queue = queue

    def once(self):
        result = self.queue.pop().run()
        text = shorten(repr(result))
        log.info("done: %s", text)
'''

TEXT = '''def shorten(text, limit=40):
    if len(text) > limit:
        text = text[: limit - 1] + "..."
    return text
'''

BASE = {
    "shop/__init__.py": "",
    "shop/util/__init__.py": "",
    "shop/util/div.py": DIV,
    "shop/text.py": TEXT,
    "shop/runner.py": RUNNER,
    "shop/tasks.py": TASKS,
}

# The flag is stored in one module and read in another, only to blank the log line's text.
RUNNER_FLAG = RUNNER.replace(
    "def __init__(self, queue):\n        self.queue = queue\n",
    "def __init__(self, queue, quiet=False):\n        self.queue = queue\n        self.quiet = quiet\n",
)
REPORT = '''import logging

from .text import shorten

log = logging.getLogger(__name__)


def report(runner, result):
    text = "" if runner.quiet else shorten(repr(result))
    log.info("result: %s", text)
'''


@pytest.fixture(autouse=True)
def fresh_memo():
    py_repo_index._MEMO.clear()
    yield
    py_repo_index._MEMO.clear()


def scan(repo: Path) -> dict[tuple[str, int], object]:
    return {(f.path, f.line): f for f in analyse(base="main", cwd=str(repo)).scan.active}


def test_a_keyword_the_callee_in_another_module_only_prints_to_is_proved(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"shop/tasks.py": TASKS.replace("    stderr = sys.stderr if stderr is None else stderr\n", "")})
    (finding,) = scan(repo).values()
    assert finding.rule == "DC101" and finding.severity == "info"
    assert "`dump_state(stderr=…)`" in finding.message

    # Once the callee writes the state to that stream, the value matters: flagged.
    other = make_repo(tmp_path / "o", {**BASE, "shop/util/div.py": DIV.replace("fh.write(repr(state))", "stderr.flush()")})
    make_branch(other, "feature", {"shop/tasks.py": TASKS.replace("    stderr = sys.stderr if stderr is None else stderr\n", "")})
    (flagged,) = scan(other).values()
    assert flagged.rule == "DC101" and flagged.severity == "warning"


def test_an_attribute_other_modules_read_only_to_log_is_proved(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {**BASE, "shop/report.py": REPORT.replace("runner.quiet", "False")})
    make_branch(repo, "feature", {"shop/runner.py": RUNNER_FLAG, "shop/report.py": REPORT})
    got = scan(repo)
    init = got[("shop/runner.py", 9)]
    assert init.rule == "DC104" and init.severity == "info" and "`.quiet`" in init.message

    # Read for a decision in another module: the new flag changes behaviour.
    decides = REPORT.replace('    text = "" if runner.quiet else shorten(repr(result))\n', "    if runner.quiet:\n        runner.queue.clear()\n    text = shorten(repr(result))\n")
    other = make_repo(tmp_path / "o", {**BASE, "shop/report.py": decides.replace("runner.quiet", "False")})
    make_branch(other, "feature", {"shop/runner.py": RUNNER_FLAG, "shop/report.py": decides})
    assert scan(other)[("shop/runner.py", 9)].severity == "warning"


def _fn(source: str) -> ast.FunctionDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


@pytest.mark.parametrize(
    ("head", "proved"),
    [
        ("def f(a, b, verbose=False):\n    g(a, b)\n", True),  # appended, unread, with a default
        ("def f(a, b, *, verbose=False):\n    g(a, b)\n", True),  # keyword-only
        ("def f(a, verbose=False, b=1):\n    g(a, b)\n", False),  # inserted: callers' `b` would shift
        ("def f(a, b, verbose):\n    g(a, b)\n", False),  # no default: old callers now fail
        ("def f(a, b, verbose=False):\n    g(a, b, verbose)\n", False),  # read
        ("def f(a, b, verbose=make()):\n    g(a, b)\n", False),  # a default with side effects
    ],
)
def test_a_new_parameter_is_part_of_the_proof_only_when_old_callers_cannot_tell(head: str, proved: bool) -> None:
    base = _fn("def f(a, b=1):\n    g(a, b)\n" if "b=1" in head else "def f(a, b):\n    g(a, b)\n")
    assert (proof_of_no_change(base, _fn(head)) is not None) is proved


def test_kwargs_or_varargs_refuse_new_parameters() -> None:
    assert proof_of_no_change(_fn("def f(a, **kw):\n    g(a, **kw)\n"), _fn("def f(a, x=1, **kw):\n    g(a, **kw)\n")) is None
    assert proof_of_no_change(_fn("def f(a, *rest):\n    g(a, *rest)\n"), _fn("def f(a, x=1, *rest):\n    g(a, *rest)\n")) is None
    # a removed parameter breaks its callers: never part of a proof
    assert proof_of_no_change(_fn("def f(a, x=1):\n    g(a)\n"), _fn("def f(a):\n    g(a)\n")) is None


def test_pure_functions_and_quiet_parameters() -> None:
    assert is_pure_function(_fn(TEXT))
    assert not is_pure_function(_fn("def f(x):\n    save(x)\n    return x\n"))
    assert not is_pure_function(_fn("@cache\ndef f(x):\n    return x\n"))
    assert quiet_parameters(ast.parse(DIV).body[1]) == {"stderr"}
    assert quiet_parameters(_fn("@wraps\ndef f(x, stderr=None):\n    print(x, file=stderr)\n")) == frozenset()
    assert quiet_parameters(_fn("def f(x, stderr=None):\n    print(x, file=stderr)\n    return locals()\n")) == frozenset()


def test_module_paths() -> None:
    rel = ast.parse("from .text import shorten").body[0]
    absolute = ast.parse("from shop.util.div import dump_state").body[0]
    assert isinstance(rel, ast.ImportFrom) and isinstance(absolute, ast.ImportFrom)
    assert module_paths("shop/tasks.py", rel) == ["shop/text.py", "shop/text/__init__.py"]
    assert module_paths("src/shop/jobs/tasks.py", absolute) == ["src/shop/util/div.py", "src/shop/util/div/__init__.py"]
    assert module_paths("app/tasks.py", absolute)[:2] == ["shop/util/div.py", "shop/util/div/__init__.py"]


DESCRIBE = TEXT + '''

def describe(args, kwargs):
    text = ", ".join(map(repr, args))
    if kwargs:
        text += ", " + ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
    return shorten(text)


def describe_and_count(args, kwargs):
    COUNTS.append(len(args))
    return shorten(repr(args))


COUNTS = []
'''


@pytest.mark.parametrize(("helper", "severity"), [("describe", "info"), ("describe_and_count", "warning")])
def test_a_log_line_built_by_project_functions_that_call_each_other(tmp_path, helper: str, severity: str) -> None:
    # describe() calls shorten(), both only compute a value: the local fed only the log line.
    runner = RUNNER.replace("from .text import shorten", f"from .text import {helper}")
    base = runner.replace("text = shorten(repr(result))", f"text = {helper}(result.args, result.kwargs)")
    head = base.replace(f"text = {helper}(result.args, result.kwargs)", f'text = {helper}(result.args, result.kwargs) if self.queue.verbose else "…"')
    repo = make_repo(tmp_path / "r", {**BASE, "shop/text.py": DESCRIBE, "shop/runner.py": base})
    make_branch(repo, "feature", {"shop/runner.py": head})
    (finding,) = scan(repo).values()
    assert finding.rule == "DC104" and finding.severity == severity


# Red team of session 7: each of these really changes what the job does, and each was proved
# "only logging" before the fix named beside it. Every one must stay flagged.
RT_TASK = '''import logging

from celery import shared_task

from .models import Order
{imports}

log = logging.getLogger(__name__)


@shared_task
def settle(order_id, ids):
    order = Order.objects.get(pk=order_id)
{body}
    order.save()
'''

RED_TEAM = {
    # a model field set before save(): on another object than self, a store is no log value
    "model-field": ({"shop/models.py": "class Order:\n    refunded = False\n"}, "", "    log.info('settling')\n",
                    "    order.refunded = True\n    log.info('settling')\n"),
    # a "pure" helper that extends the caller's list in place
    "augassign-mutates": ({"shop/models.py": "class Order:\n    pass\n",
                           "shop/text.py": "PINNED = [1]\n\n\ndef label(ids):\n    ids += PINNED\n    return str(len(ids))\n"},
                          "from .text import label", "    log.info('settling %s', order_id)\n",
                          "    text = label(ids)\n    log.info('settling %s', text)\n"),
    # a helper calling its parameter, which shares a pure function's name
    "parameter-shadows": ({"shop/models.py": "class Order:\n    pass\n",
                           "shop/text.py": "def shorten(text):\n    return text[:80]\n\n\ndef describe(item, shorten=shorten):\n    return shorten(item)\n"},
                          "from .text import describe", "    log.info('settling %s', order_id)\n",
                          "    text = describe(order_id, order.refund)\n    log.info('settling %s', text)\n"),
    # a pure definition replaced by an import inside try:
    "try-import-rebinds": ({"shop/models.py": "class Order:\n    pass\n",
                            "shop/text.py": "def summarize(x):\n    return str(x)\n\n\ntry:\n    from ._native import summarize\nexcept ImportError:\n    pass\n"},
                           "from .text import summarize", "    log.info('settling %s', order_id)\n",
                           "    line = summarize(order_id)\n    log.info('settling %s', line)\n"),
    # sorted() running an acting key function inside a log call
    "sorted-key": ({"shop/models.py": "class Order:\n    pass\n"}, "", "    log.info('settling %s', ids)\n",
                   "    log.info('settling %s', sorted(ids, key=order.refund))\n"),
}


@pytest.mark.parametrize("case", sorted(RED_TEAM))
def test_red_team_changes_stay_flagged(tmp_path, case: str) -> None:
    extra, imports, before, after = RED_TEAM[case]
    base = {"shop/__init__.py": "", **extra, "shop/tasks.py": RT_TASK.format(imports=imports, body=before)}
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "feature", {"shop/tasks.py": RT_TASK.format(imports=imports, body=after)})
    findings = [f for f in scan(repo).values() if f.path == "shop/tasks.py"]
    assert findings and all(f.severity != "info" for f in findings), [(f.rule, f.severity, f.message[:120]) for f in findings]


def test_a_future_is_the_standard_librarys_only_when_imported_from_it() -> None:
    from deploycheck.rules.python.equiv import Facts, future_types

    base = _fn("def on_done(future: Future):\n    x = future.result()\n    if exc := future.exception():\n        raise exc\n")
    head = _fn("def on_done(future: Future):\n    x = future.result()\n")
    standard = Facts(futures=future_types({"Future": "concurrent.futures"}, set()))
    assert proof_of_no_change(base, head, (standard, standard)) is not None
    own = Facts(futures=future_types({"Future": "concurrent.futures"}, {"Future"}))  # `class Future` in the module
    assert proof_of_no_change(base, head, (own, own)) is None
    assert proof_of_no_change(base, head) is None  # nothing known about the module: no proof


PROPERTY_TASK = '''import logging

from celery import shared_task

log = logging.getLogger(__name__)


class Reserver:
    def __init__(self, redis):
        self.redis = redis

    @property
    def reserved(self):
        return int(self.redis.get("stock:held") or 0)

    @reserved.setter
    def reserved(self, value):
        self.redis.set("stock:held", value)

    def reset(self):
        log.info("reset")


@shared_task
def nightly(redis):
    Reserver(redis).reset()
'''


def test_a_store_through_a_property_setter_stays_flagged(tmp_path) -> None:
    # `self.reserved = 0` calls the setter, which writes Redis: a class that declares the name
    # (property, descriptor, model or dataclass field) makes its stores no log value.
    repo = make_repo(tmp_path / "r", {"shop/__init__.py": "", "shop/tasks.py": PROPERTY_TASK})
    make_branch(repo, "feature", {"shop/tasks.py": PROPERTY_TASK.replace('        log.info("reset")\n', '        self.reserved = 0\n        log.info("reset")\n')})
    (finding,) = [f for f in scan(repo).values() if f.path == "shop/tasks.py"]
    assert finding.severity == "warning", finding.message


# Second red team of session 7.
def test_a_package_beside_a_module_of_the_same_name_proves_nothing(tmp_path) -> None:
    # Python imports shop/text/ (the package), not shop/text.py: neither is read as the callee.
    files = {"shop/__init__.py": "", "shop/models.py": "class Order:\n    pass\n",
             "shop/text.py": "def label(x):\n    return str(x)\n",
             "shop/text/__init__.py": "from shop.models import Order\n\n\ndef label(x):\n    Order.objects.filter(pk=x).update(seen=True)\n    return str(x)\n",
             "shop/tasks.py": RT_TASK.format(imports="from .text import label", body="    log.info('settling %s', order_id)\n")}
    repo = make_repo(tmp_path / "r", files)
    make_branch(repo, "feature", {"shop/tasks.py": RT_TASK.format(imports="from .text import label", body="    line = label(order_id)\n    log.info('settling %s', line)\n")})
    (finding,) = [f for f in scan(repo).values() if f.path == "shop/tasks.py"]
    assert finding.severity == "warning"


def test_a_helper_a_function_rebinds_with_global_proves_nothing(tmp_path) -> None:
    text = ("def label(x):\n    return str(x)\n\n\ndef _charging(x):\n    return charge(x)\n\n\n"
            "def on_worker_init():\n    global label\n    label = _charging\n")
    files = {"shop/__init__.py": "", "shop/models.py": "class Order:\n    pass\n", "shop/text.py": text,
             "shop/tasks.py": RT_TASK.format(imports="from .text import label", body="    log.info('settling %s', order_id)\n")}
    repo = make_repo(tmp_path / "r", files)
    make_branch(repo, "feature", {"shop/tasks.py": RT_TASK.format(imports="from .text import label", body="    line = label(order_id)\n    log.info('settling %s', line)\n")})
    (finding,) = [f for f in scan(repo).values() if f.path == "shop/tasks.py"]
    assert finding.severity == "warning"


THREAD = '''import logging
import threading

log = logging.getLogger(__name__)


class Poller({base}):
    def run(self):
{extra}        log.info("poller started")
        self.poll()
'''


@pytest.mark.parametrize(("base", "severity"), [("threading.Thread", "warning"), ("object", "info")])
def test_an_attribute_a_base_class_may_declare_is_no_log_value(tmp_path, base: str, severity: str) -> None:
    # `self.daemon = True` calls Thread's property setter, which raises once the thread runs.
    repo = make_repo(tmp_path / "r", {"shop/__init__.py": "", "shop/workers.py": THREAD.format(base=base, extra=""),
                                      "shop/tasks.py": "from celery import shared_task\n\nfrom .workers import Poller\n\n\n@shared_task\ndef poll():\n    Poller().run()\n"})
    extra = '        self.daemon = True\n        log.info("daemon %s", self.daemon)\n'
    make_branch(repo, "feature", {"shop/workers.py": THREAD.format(base=base, extra=extra)})
    (finding,) = [f for f in scan(repo).values() if f.path == "shop/workers.py"]
    assert finding.severity == severity, finding.message


def test_a_class_decorator_may_install_what_self_stores() -> None:
    # Third red team: `@redis_backed` set a property `reserved` on the class; the store wrote Redis.
    from deploycheck.rules.python.logflow import _stored_by_a_derived_class

    stores = "    def run(self):\n        self.reserved = 0\n"
    assert _stored_by_a_derived_class(ast.parse("@redis_backed\nclass R:\n" + stores), "reserved")
    assert _stored_by_a_derived_class(ast.parse("class R(Base):\n" + stores), "reserved")
    assert not _stored_by_a_derived_class(ast.parse("class R:\n" + stores), "reserved")
