"""Job context built from the repository at head (issue 16): entry points named in other
modules, helpers jobs reach through imports and calls, the job system's own code, and the job
index's cache and caps. Real git repositories; the real scan through ``analyse``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from support.gitrepo import commit, git, make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.rules.python import repo_build as py_repo_build, repo_index as py_repo_index

TASKS = '''from celery import shared_task

from billing.helpers import charge
from shop.services import Syncer


@shared_task
def sync(order_id):
    charge(order_id)
    Syncer(order_id).run()
'''

HELPERS = '''from shop.models import Order


def charge(order_id):
    order = Order.objects.get(pk=order_id)
    apply_total(order)


def apply_total(order):
    order.balance = order.balance - order.total
    order.save()


def format_total(order):
    return f"{order.total:.2f}"
'''

SERVICES = '''class Syncer:
    def __init__(self, order_id):
        self.order_id = order_id

    def run(self):
        return self.step()

    def step(self):
        return self.order_id

    def describe(self):
        return "syncer"
'''

BASE = {
    "shop/__init__.py": "",
    "shop/models.py": "class Order:\n    pass\n",
    "shop/tasks.py": TASKS,
    "shop/services.py": SERVICES,
    "billing/__init__.py": "",
    "billing/helpers.py": HELPERS,
}


@pytest.fixture(autouse=True)
def fresh_memo():
    py_repo_index._MEMO.clear()
    yield
    py_repo_index._MEMO.clear()


def scan(repo: Path):
    return analyse(base="main", cwd=str(repo)).scan


def found(result) -> dict[tuple[str, int, str], object]:
    return {(f.path, f.line, f.rule): f for f in result.active}


def test_helper_in_another_module_reached_from_a_task_is_flagged_with_its_path(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {
        "billing/helpers.py": HELPERS.replace("order.balance - order.total", "order.balance - order.total * 2")
        .replace("order.save()", 'order.save(update_fields=["balance"])').replace('{order.total:.2f}', '{order.total:.3f}'),
        "shop/services.py": SERVICES.replace("return self.order_id", "return self.order_id + 1")
        .replace('"syncer"', '"the syncer"'),
    })
    result = scan(repo)
    got = found(result)
    helper = got[("billing/helpers.py", 10, "DC104")]
    assert helper.severity == "warning"
    assert helper.message.startswith(
        "`apply_total` runs in the background: it is called by Celery task `shop.tasks.sync` (shop/tasks.py:8) "
        "through `billing.helpers.charge`; the change touches shared state"
    )
    method = got[("shop/services.py", 9, "DC104")]
    assert "`Syncer.step` runs in the background" in method.message and "`shop.services.Syncer.run`" in method.message
    # Functions no job reaches stay quiet: format_total, Syncer.describe.
    assert set(got) == {("billing/helpers.py", 10, "DC104"), ("shop/services.py", 9, "DC104")}
    assert result.flagged
    # The same as data (the JSON's `job` and `trail`): the task, then the functions from it down.
    job = {"kind": "Celery task", "path": "shop/tasks.py", "line": 8, "name": "shop.tasks.sync"}
    assert helper.to_json()["job"] == job
    assert helper.to_json()["trail"] == [{"path": "shop/tasks.py", "line": 7, "name": "shop.tasks.sync"},
                                         {"path": "billing/helpers.py", "line": 4, "name": "billing.helpers.charge"}]
    assert [step["name"] for step in method.to_json()["trail"]] == ["shop.tasks.sync", "shop.services.Syncer.run"]


def test_a_provably_unchanged_helper_is_info_and_an_unreached_trivial_change_builds_no_index(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {
        "billing/helpers.py": HELPERS.replace("    apply_total(order)\n", "    apply_total(order)  # the balance\n")
        .replace("{order.total:.2f}", "{order.total:.3f}"),
    })
    got = found(scan(repo))
    finding = got[("billing/helpers.py", 6, "DC104")]
    assert finding.severity == "info" and "changed only in comments or formatting" in finding.message
    assert set(got) == {("billing/helpers.py", 6, "DC104")}  # format_total: no job reaches it

    other = make_repo(tmp_path / "other", {"app/util.py": "def f():\n    return 1\n"})
    make_branch(other, "feature", {"app/util.py": "def f():\n    # one\n    return 1\n"})
    assert scan(other).active == []
    assert not (other / ".git" / "deploycheck").exists()  # proved trivial: the index was never built


def test_jobs_named_in_other_modules(tmp_path) -> None:
    base = {
        "pulp/__init__.py": "",
        "pulp/tasking.py": "def dispatch(func, exclusive_resources=None, args=()):\n    return func\n",
        "pulp/deletion.py": "def general_delete(pk):\n    return pk\n",
        "pulp/views.py": (
            "from pulp import deletion\nfrom pulp.tasking import dispatch\n\n\n"
            "def destroy(request, pk):\n    return dispatch(deletion.general_delete, exclusive_resources=[pk], args=(pk,))\n"
        ),
        "pulp/settings.py": 'CELERY_BEAT_SCHEDULE = {\n    "nightly": {"task": "pulp.cleanup.purge", "schedule": 3600},\n}\n',
        "pulp/cleanup.py": "def purge():\n    return 0\n",
        "pulp/celery_app.py": "from pulp.synctask import SyncTask\n\napp = object()\napp.register_task(SyncTask())\n",
        "pulp/synctask.py": "class SyncTask:\n    def run(self, x):\n        return x\n",
        "pulp/signals.py": "from pulp import handlers\n\npost_save.connect(handlers.on_save)\n",
        "pulp/handlers.py": "def on_save(sender, **kw):\n    return sender\n",
        "pulp/boot.py": "import threading\n\nfrom pulp import loops\n\nthreading.Thread(target=loops.heartbeat).start()\n",
        "pulp/loops.py": "def heartbeat():\n    return 1\n",
        # An application's own scheduler registry, the task re-exported by its package (mealie).
        "pulp/app.py": "from pulp.services.scheduler import SchedulerRegistry, tasks\n\n"
                       "SchedulerRegistry.register_daily(tasks.purge_tokens)\n",
        "pulp/services/__init__.py": "",
        "pulp/services/scheduler/__init__.py": "class SchedulerRegistry:\n    pass\n",
        "pulp/services/scheduler/tasks/__init__.py": "from .purge import purge_tokens\n",
        "pulp/services/scheduler/tasks/purge.py": "def purge_tokens():\n    return 0\n",
    }
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "feature", {
        "pulp/deletion.py": "def general_delete(pk):\n    return pk + 1\n",
        "pulp/cleanup.py": "def purge():\n    return 1\n",
        "pulp/synctask.py": "class SyncTask:\n    def run(self, x):\n        return x * 2\n",
        "pulp/handlers.py": "def on_save(sender, **kw):\n    return kw\n",
        "pulp/loops.py": "def heartbeat():\n    return 2\n",
        "pulp/services/scheduler/tasks/purge.py": "def purge_tokens():\n    return 1\n",
    })
    got = found(scan(repo))
    assert got[("pulp/deletion.py", 2, "DC101")].message.startswith(
        "`general_delete` runs in the background (job dispatched by `dispatch()` at pulp/views.py:6)"
    )
    assert "Celery beat schedule entry at pulp/settings.py:2)" in got[("pulp/cleanup.py", 2, "DC101")].message
    assert "task registered with `register_task()` at pulp/celery_app.py:4)" in got[("pulp/synctask.py", 3, "DC101")].message
    assert "Django signal receiver at pulp/signals.py:3)" in got[("pulp/handlers.py", 2, "DC101")].message
    assert "(thread at pulp/boot.py:5)" in got[("pulp/loops.py", 2, "DC101")].message
    assert "(scheduled task at pulp/app.py:3)" in got[("pulp/services/scheduler/tasks/purge.py", 2, "DC101")].message
    assert all(f.severity == "warning" for f in got.values())


def test_worker_subclasses_and_worker_loops(tmp_path) -> None:
    base = {
        "app/__init__.py": "",
        "app/base.py": "from rq import Worker\n\n\nclass BaseWorker(Worker):\n    def setup(self):\n        return 1\n",
        "app/custom.py": "from app.base import BaseWorker\n\n\nclass ShopWorker(BaseWorker):\n    def execute_job(self, job, queue):\n        return job\n",
        "app/worker.py": "def main_loop(queue):\n    while True:\n        queue.pop()\n\n\ndef helper():\n    return 1\n",
        "app/poller.py": (
            "class FeedConsumer:\n    def loop(self):\n        while self.running:\n            self.tick()\n\n"
            "    def tick(self):\n        return 1\n"
        ),
    }
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "feature", {
        "app/custom.py": base["app/custom.py"].replace("return job", "return queue"),
        "app/worker.py": base["app/worker.py"].replace("queue.pop()", "queue.popleft()").replace("return 1", "return 2"),
        "app/poller.py": base["app/poller.py"].replace("return 1", "return 2"),
    })
    got = found(scan(repo))
    assert "RQ worker class" in got[("app/custom.py", 6, "DC101")].message  # a subclass of a subclass, across modules
    assert "worker loop" in got[("app/worker.py", 3, "DC101")].message
    assert ("app/worker.py", 7, "DC101") not in got and ("app/worker.py", 7, "DC104") not in got  # no loop, nobody calls it
    assert "worker loop class" in got[("app/poller.py", 7, "DC101")].message


@pytest.mark.parametrize("prefix", ["", "vendor/"])
def test_the_job_systems_own_code_is_background_code(tmp_path, prefix) -> None:
    base = {
        f"{prefix}rq/__init__.py": "",
        f"{prefix}rq/job.py": "class Job:\n    def perform(self):\n        return self.func()\n",
        f"{prefix}rq/worker.py": "class Worker:\n    def work(self):\n        return self.dequeue()\n",
        f"{prefix}rq/utils.py": "def now():\n    return 0\n",
        # The same layout without the library's marker file is not RQ.
        "shop/rq/__init__.py": "",
        "shop/rq/worker.py": "def label():\n    return 'w'\n",
    }
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "feature", {
        f"{prefix}rq/worker.py": base[f"{prefix}rq/worker.py"].replace("self.dequeue()", "self.dequeue(timeout=5)"),
        f"{prefix}rq/utils.py": "def now():\n    return 1\n",
        "shop/rq/worker.py": "def label():\n    return 'worker'\n",
    })
    got = found(scan(repo))
    assert "RQ's own code" in got[(f"{prefix}rq/worker.py", 3, "DC101")].message
    # Every module of the library runs inside its workers (its helpers too); the look-alike
    # package without the marker module is not RQ.
    assert {path for path, _line, _rule in got} == {f"{prefix}rq/worker.py", f"{prefix}rq/utils.py"}


def test_library_layout_recognition() -> None:
    paths = ["celery/__init__.py", "celery/app/task.py", "celery/worker/consumer/consumer.py", "celery/utils/text.py",
             "x/dramatiq/__init__.py", "x/dramatiq/worker.py", "tests/rq/__init__.py", "tests/rq/job.py", "tests/rq/worker.py"]
    assert py_repo_build.library_files(paths) == {
        "celery/__init__.py": "Celery's own code",
        "celery/app/task.py": "Celery's own code",
        "celery/worker/consumer/consumer.py": "Celery's own code",
        "celery/utils/text.py": "Celery's own code",
    }


def test_apscheduler_4_layout_is_the_library() -> None:
    """APScheduler 4 has no job.py (the marker of 3.x): its cron trigger package marks it, in
    both versions; a project's own `apscheduler` folder with neither is not the library."""
    v4 = ["src/apscheduler/__init__.py", "src/apscheduler/_structures.py", "src/apscheduler/triggers/cron/__init__.py",
          "src/apscheduler/triggers/combining.py", "src/apscheduler/datastores/sqlalchemy.py"]
    v3 = ["apscheduler/__init__.py", "apscheduler/job.py", "apscheduler/triggers/cron/__init__.py"]
    other = ["shop/apscheduler/__init__.py", "shop/apscheduler/jobs.py"]
    found = py_repo_build.library_files(v4 + v3 + other)
    assert set(found) == set(v4 + v3)
    assert found["src/apscheduler/triggers/combining.py"] == "APScheduler's own code"


def test_tests_are_not_entry_points(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {
        "app/__init__.py": "", "app/calc.py": "def total(x):\n    return x\n",
        "tests/test_calc.py": "import threading\nfrom app.calc import total\n\n\ndef test_it():\n    threading.Thread(target=total).start()\n",
    })
    make_branch(repo, "feature", {"app/calc.py": "def total(x):\n    return x + 1\n"})
    assert scan(repo).active == []


def test_the_cache_lives_in_the_git_dir_and_a_warm_run_reads_only_what_changed(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    first = scan(repo)
    folder = repo / ".git" / "deploycheck" / "jobindex"
    trees = sorted(folder.glob("tree-*.json"))
    assert len(trees) == 1 and (folder / "blobs.json").exists()
    assert git(repo, "status", "--porcelain", "--ignored") == ""  # nothing in the work tree
    stats = json.loads(trees[0].read_text())["stats"]
    assert stats["parsed"] >= 3

    py_repo_index._MEMO.clear()
    assert [f.message for f in scan(repo).active] == [f.message for f in first.active]  # same head: the cached index
    commit(repo, {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 2\n")})
    py_repo_index._MEMO.clear()
    scan(repo)
    newest = max(folder.glob("tree-*.json"), key=lambda p: p.stat().st_mtime)
    assert json.loads(newest.read_text())["stats"]["parsed"] == 1  # only the changed blob was read


def test_a_damaged_cache_is_ignored(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    expected = [f.message for f in scan(repo).active]
    folder = repo / ".git" / "deploycheck" / "jobindex"
    version = py_repo_index.CACHE_FORMAT
    for damage in ("not json", json.dumps({"format": version, "nodes": [[1]], "blobs": {"x": 1}}), "[]"):
        for path in folder.iterdir():
            path.write_text(damage)
        py_repo_index._MEMO.clear()
        assert [f.message for f in scan(repo).active] == expected
    # Summaries of the right format and the wrong shape: rebuilt from the repository.
    blobs = {git(repo, "rev-parse", f"HEAD:{p}"): {"cand": True, "f": 5} for p in BASE if p.endswith(".py")}
    (folder / "blobs.json").write_text(json.dumps({"format": version, "blobs": blobs}))
    for tree in folder.glob("tree-*.json"):
        tree.unlink()
    py_repo_index._MEMO.clear()
    assert [f.message for f in scan(repo).active] == expected


def test_a_capped_index_says_so_and_flags_what_it_cannot_place(tmp_path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {
        "billing/helpers.py": HELPERS.replace("order.balance - order.total", "order.balance - 2")
        .replace("{order.total:.2f}", "{order.total:.3f}"),
    })
    monkeypatch.setattr(py_repo_build, "MAX_DEPTH", 1)  # sync -> charge only: apply_total is beyond
    got = found(scan(repo))
    capped = got[("billing/helpers.py", 10, "DC104")]
    assert capped.severity == "warning"
    assert "cannot tell whether `apply_total` runs in the background" in capped.message
    assert "call chains deeper than 1" in capped.message
    assert ("billing/helpers.py", 15, "DC104") in got  # format_total: unplaced, not proved unchanged


def test_an_unparseable_candidate_makes_the_index_incomplete(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {**BASE, "shop/jobs.py": "from celery import shared_task\n\nprint 'python 2'\n"})
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("{order.total:.2f}", "{order.total:.3f}")})
    finding = found(scan(repo))[("billing/helpers.py", 15, "DC104")]
    said = _parser_says("print 'python 2'\n")  # the running Python's own words for line 3
    version = f"Python {sys.version_info[0]}.{sys.version_info[1]}"
    assert (
        f"the job index of this repository is incomplete (1 file(s) that may define background code could not be read "
        f"or parsed (shop/jobs.py: {said}, line 3); {version} runs deploycheck: for syntax newer than it, run deploycheck "
        "under the project's Python). It changed"
    ) in finding.message


def _parser_says(text: str) -> str:
    import ast

    with pytest.raises(SyntaxError) as caught:
        ast.parse(text)
    return caught.value.msg


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the type statement parses from Python 3.12")
def test_a_file_with_newer_syntax_names_its_line_and_the_python_to_use(tmp_path) -> None:
    """Issue 18: a job module written for Python 3.12 (`type X = ...`) read by deploycheck on an
    older Python; the finding says which file, which line, and what to do."""
    jobs = "from celery import shared_task\n\ntype Amount = int\n\n\n@shared_task\ndef sync(order_id):\n    return order_id\n"
    repo = make_repo(tmp_path / "r", {**BASE, "shop/jobs.py": jobs})
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("{order.total:.2f}", "{order.total:.3f}")})
    finding = found(scan(repo))[("billing/helpers.py", 15, "DC104")]
    assert "(shop/jobs.py: invalid syntax, line 3)" in finding.message
    assert f"Python {sys.version_info[0]}.{sys.version_info[1]} runs deploycheck: for syntax newer than it, run deploycheck under the project's Python" in finding.message


def test_the_index_cache_is_kept_per_python() -> None:
    """What parses depends on the Python's grammar: a cache written by another Python (a file it
    could or could not parse) is not reused."""
    assert py_repo_index.CACHE_FORMAT.endswith(f"/py{sys.version_info[0]}.{sys.version_info[1]}")


def test_gitattributes_cannot_hide_jobs_from_git_grep(tmp_path, monkeypatch) -> None:
    # More files than the Python pre-test handles, so the candidates come from `git grep`.
    many = {f"app/filler_{i}.py": f"VALUE_{i} = {i}\n" for i in range(py_repo_build.FEW_UNKNOWN + 5)}
    attributes = "shop/*.py binary -diff -text\n"  # the job's file, not the changed one
    repo = make_repo(tmp_path / "r", {**BASE, **many, ".gitattributes": attributes})
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    got = found(scan(repo))
    assert ("billing/helpers.py", 10, "DC104") in got


def test_every_runner_and_dispatcher_passes_the_git_grep_prefilter() -> None:
    # A file naming a job only through one of these calls must be a candidate, or its job is lost.
    names = [*py_repo_build.DISPATCHERS, *py_repo_build.RUNNERS, *py_repo_build._ON_RECEIVER, *py_repo_build._KEYWORD_RUNNERS]
    for name in names:
        receiver = "pool" if name in ("map", "imap_unordered", "apply_async") else "x"  # these need a pool
        call = f"{receiver}.{name}(f)".lower()
        assert any(word in call for word in py_repo_build.GREP_WORDS), name


def test_verify_never_writes_the_index(tmp_path) -> None:
    import subprocess
    import sys

    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    run = lambda *args: subprocess.run([sys.executable, "-m", "deploycheck", *args, "--base", "main"], cwd=repo,  # noqa: E731 - a one-line runner
                                       capture_output=True, text=True)
    folder = repo / ".git" / "deploycheck" / "jobindex"
    proc = run("verify")
    assert proc.returncode == 1 and "billing/helpers.py" in proc.stdout  # built in memory: flagged
    assert not folder.exists()
    assert run("verify", "--hook").returncode == 1 and folder.exists()  # the local hook keeps the cache
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert run("verify").returncode == 1
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_the_gate_trusts_no_cached_index(tmp_path) -> None:
    """A CI that restores .git/deploycheck from a cache an untrusted run could write must not let
    a forged index (one that says no job reaches anything) hide the helper from the gate."""
    import subprocess
    import sys

    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    run = lambda *args: subprocess.run([sys.executable, "-m", "deploycheck", *args, "--base", "main"], cwd=repo,  # noqa: E731 - a one-line runner
                                       capture_output=True, text=True)
    assert run("verify", "--hook").returncode == 1  # builds and keeps the cache
    folder = repo / ".git" / "deploycheck" / "jobindex"
    version = py_repo_index.CACHE_FORMAT
    for tree in folder.glob("tree-*.json"):
        tree.write_text(json.dumps({"format": version, "nodes": [], "incomplete": "", "stats": {}}))
    blobs = {git(repo, "rev-parse", f"HEAD:{p}"): {"cand": False} for p in BASE if p.endswith(".py")}
    (folder / "blobs.json").write_text(json.dumps({"format": version, "blobs": blobs}))
    proc = run("verify")
    assert proc.returncode == 1 and "billing/helpers.py" in proc.stdout, proc.stdout


def test_the_pre_commit_warning_sees_helpers_of_jobs(tmp_path) -> None:
    from deploycheck.hooks.warn import check_staged
    from support.gitrepo import write_files

    repo = make_repo(tmp_path / "r", BASE)
    write_files(repo, {"billing/helpers.py": HELPERS.replace("order.total\n", "order.total + 1\n")})
    git(repo, "add", "-A")
    line = check_staged(str(repo))  # the staged change's head is a tree (`git write-tree`), not a commit
    assert line is not None and "billing/helpers.py:10 DC104 background-helper-changed" in line


def test_the_file_cap_is_reported_as_such(tmp_path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {"billing/helpers.py": HELPERS.replace("{order.total:.2f}", "{order.total:.3f}")})
    monkeypatch.setattr(py_repo_build, "MAX_FILES", 0)  # even the task's file is over the cap
    message = found(scan(repo))[("billing/helpers.py", 15, "DC104")].message
    assert "(more than 0 Python files to look at)" in message and "could not be read" not in message


def _tables_digest() -> str:
    import hashlib

    from deploycheck.rules.python import jobs

    b = py_repo_build
    tables = (b.GREP_WORDS, sorted(b.LIBRARIES.items()), sorted(b._LIBRARY_KINDS.items()), sorted(b._LOOP_MODULES),
              b._LOOP_CLASSES, sorted(b.DISPATCHERS.items()), b._FUNC_KEYWORDS, sorted((k, repr(v)) for k, v in b.RUNNERS.items()),
              b._POOLISH, sorted(b._ON_RECEIVER.items()), sorted(b._KEYWORD_RUNNERS.items()), b.MAX_DEPTH, b.MAX_FILES, b.MAX_BLOB,
              b._IMPORTERS, b._SELF_ENQUEUES, sorted(b._OTHER_LAYOUTS.items()),
              jobs.SCHEDULER_RECEIVER.pattern, jobs.SCHEDULING_VERB.pattern)
    return hashlib.sha256(repr(tables).encode()).hexdigest()[:16]


def test_index_tables_are_tied_to_the_format() -> None:
    """A cached index answers for the tables it was built with: a change to what the builder
    recognises (a library, a dispatcher, a runner, a cap) must bump INDEX_FORMAT, or caches built
    before it keep giving the old answer (seen: a library added, and the corpus scan's warm
    cache still called its modules ordinary code). Update both lines together."""
    assert (py_repo_index.INDEX_FORMAT, _tables_digest()) == (10, "fa95e6f561fa9ef0")


def test_the_users_git_colours_hide_no_job(tmp_path, monkeypatch) -> None:
    # The twin of the trees search's red-team finding (session 10): with `color.ui=always`, git
    # wraps the paths `git grep -l` prints in escape codes, so the job index read no candidate
    # file and the helper a task reaches passed unflagged.
    repo = make_repo(tmp_path / "r", BASE)
    make_branch(repo, "feature", {
        "billing/helpers.py": HELPERS.replace("order.balance - order.total", "order.balance - order.total * 2")})
    for number, (key, value) in enumerate([("color.ui", "always"), ("color.grep", "always"), ("grep.lineNumber", "true")]):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{number}", key)
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{number}", value)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "3")
    assert ("billing/helpers.py", 10, "DC104") in found(scan(repo))


def test_a_module_constant_a_job_reads_is_the_jobs_change(tmp_path) -> None:
    # The job is known only from another module's registration; its cut-off comes from a constant
    # of its own module (mealie's MAX_DAYS_OLD above a scheduled purge).
    purge = ("import os\n\nMAX_DAYS_OLD = 4\nUNUSED = 1\nPAGE = (10)\n\n\n"
             "def purge_tokens():\n    return MAX_DAYS_OLD * PAGE\n")
    base = {"app/__init__.py": "", "app/boot.py": "from app import purge\nfrom app.sched import Scheduler\n\n"
            "Scheduler.register_daily(purge.purge_tokens)\n", "app/sched.py": "class Scheduler:\n    pass\n",
            "app/purge.py": purge}
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "feature", {"app/purge.py": purge.replace("MAX_DAYS_OLD = 4", "MAX_DAYS_OLD = 2")
                                  .replace("UNUSED = 1", "UNUSED = 3").replace("PAGE = (10)", "PAGE = 10")})
    got = found(scan(repo))
    assert sorted(k for k in got if k[2] in ("DC101", "DC104")) == [("app/purge.py", 3, "DC101")]
    message = got[("app/purge.py", 3, "DC101")].message
    assert message.startswith("`MAX_DAYS_OLD` changed at module level, and `purge_tokens` reads it. ")
    assert "(scheduled task at app/boot.py:4)" in message and got[("app/purge.py", 3, "DC101")].severity == "warning"
