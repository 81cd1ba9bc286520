"""A file moved whole (deleted and added with --no-renames) is read against its old self, not as
new code (rules/trees/moved.py, DC701)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse

SERVICE = ("package com.example.scheduler.{pkg};\n\nimport java.util.List;\n\npublic class RegistryService {{\n"
           "  public int callback(List<String> items) {{\n    return items.size() + 1;\n  }}\n\n"
           "  public int registry(String key) {{\n    return key.length() * {factor};\n  }}\n}}\n")
OLD = "src/main/java/com/example/scheduler/service/RegistryService.java"
NEW_JOBS = "src/main/java/com/example/scheduler/thread/RegistryService.java"


def _dc701(tmp_path: Path, branch: dict) -> list[tuple[str, int, str, str, str]]:
    repo = make_repo(tmp_path / "repo", {OLD: SERVICE.format(pkg="service", factor=2), "README.md": "x\n"})
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [(f.path, f.line, f.side, f.severity, f.message) for f in found if f.rule == "DC701"]


def test_a_class_moved_to_another_package_unchanged_is_context(tmp_path) -> None:
    found = _dc701(tmp_path, {OLD: None, NEW_JOBS: SERVICE.format(pkg="thread", factor=2)})
    # Both halves: every method read against its other half, the package line runs nothing.
    assert {(path, severity) for path, _, _, severity, _ in found} == {(NEW_JOBS, "info"), (OLD, "info")}
    moved_here = [m for path, _, _, _, m in found if path == NEW_JOBS]
    assert all(f"moved here from {OLD}, and changed at most in comments or formatting" in m for m in moved_here)
    assert any(f"moved to {NEW_JOBS}" in m for path, _, _, _, m in found if path == OLD)


def test_a_method_changed_in_the_move_is_flagged_and_the_rest_is_not(tmp_path) -> None:
    found = _dc701(tmp_path, {OLD: None, NEW_JOBS: SERVICE.format(pkg="thread", factor=3)})
    flagged = sorted((path, line, side) for path, line, side, severity, _ in found if severity == "warning")
    # `registry` changed, and so did the class that holds it: at head, and on the deleted side.
    assert flagged == [(OLD, 5, "base"), (OLD, 10, "base"), (NEW_JOBS, 5, "head"), (NEW_JOBS, 10, "head")]
    assert [m for path, line, _, severity, m in found if (path, line, severity) == (NEW_JOBS, 6, "info")]


def test_a_new_file_that_shares_few_lines_with_a_deleted_one_is_new(tmp_path) -> None:
    other = ("package com.example.scheduler.thread;\n\npublic class Cleaner {\n  public int sweep(int n) {\n"
             "    return n - 1;\n  }\n}\n")
    found = _dc701(tmp_path, {OLD: None, "src/main/java/com/example/scheduler/thread/Cleaner.java": other})
    assert {(path, severity) for path, _, _, severity, m in found if "New background code" in m} == {
        ("src/main/java/com/example/scheduler/thread/Cleaner.java", "warning")}
    assert not [m for _, _, _, _, m in found if "moved here" in m or "moved to" in m]


def test_a_file_moved_out_of_the_job_folder_is_still_flagged(tmp_path) -> None:
    # Moved out of scheduler/: whether anything still runs it as a job is not the move's to say.
    elsewhere = "src/main/java/com/example/registry/RegistryService.java"
    found = _dc701(tmp_path, {OLD: None, elsewhere: SERVICE.format(pkg="thread", factor=2).replace(
        "scheduler.thread", "registry")})
    assert {(path, severity) for path, _, _, severity, _ in found} == {(OLD, "warning")}


def _moved(tmp_path: Path, main: dict, branch: dict) -> dict[tuple[str, str], str]:
    """(path, side) -> severity of the DC701 finding on a moved unit's first line, per half."""
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return {(f.path, f.side): f.severity for f in found if f.rule == "DC701" and "moved" in f.message}


WORKER = ("import {{ Worker }} from 'bullmq';\nimport {{ saveResult }} from '{source}';\n\n"
          "export const worker = new Worker('results', async (job) => {{\n  await saveResult(job.data);\n}});\n")
SAVE = "export async function saveResult(data) {{\n  await {how}(data);\n}}\n"


@pytest.mark.parametrize("source, also, severity", [
    ("./db", {}, "warning"),         # the same text names src/billing/db.ts now: other code
    ("./cache", {}, "warning"),      # an import that names other code
    ("../queue/db", {}, "info"),     # the import follows the move: the same code
    # The module it imports moved with it: `./db` still names it.
    ("./db", {"src/queue/db.ts": None, "src/billing/db.ts": SAVE.format(how="inTransaction")}, "info"),
])
def test_a_moved_module_whose_imports_name_other_code_is_flagged(tmp_path, source: str, also: dict,
                                                                  severity: str) -> None:
    main = {"package.json": '{"name": "app"}\n', "src/queue/worker.ts": WORKER.format(source="./db"),
            "src/queue/db.ts": SAVE.format(how="inTransaction")}
    if not also:
        main.update({"src/billing/db.ts": SAVE.format(how="withoutTransaction"),
                     "src/billing/cache.ts": SAVE.format(how="remember")})
    found = _moved(tmp_path, main, {"src/queue/worker.ts": None, "src/billing/worker.ts": WORKER.format(source=source),
                                    **also})
    assert found[("src/billing/worker.ts", "head")] == severity
    assert found[("src/queue/worker.ts", "base")] == severity


def test_a_moved_handler_that_reads_its_folder_is_flagged(tmp_path) -> None:
    worker = ("import { Worker } from 'bullmq';\nimport fs from 'fs';\nimport path from 'path';\n\n"
              "export const worker = new Worker('mail', async (job) => {\n"
              "  return fs.readFileSync(path.join(__dirname, 'template.html'));\n});\n")
    found = _moved(tmp_path, {"package.json": '{"name": "app"}\n', "src/queue/worker.ts": worker},
                   {"src/queue/worker.ts": None, "src/mail/worker.ts": worker})
    assert found[("src/mail/worker.ts", "head")] == "warning"


FLUSHER = ("package {pkg}\n\nimport \"time\"\n\nfunc Start() {{\n\tgo func() {{\n\t\tfor {{\n\t\t\t{call}\n"
           "\t\t\ttime.Sleep(time.Second)\n\t\t}}\n\t}}()\n}}\n\nfunc pending(n int) int {{\n\ttotal := 0\n"
           "\tfor i := 0; i < n; i++ {{\n\t\ttotal += i\n\t}}\n\treturn total\n}}\n")


@pytest.mark.parametrize("call, severity", [
    ("flushPending()", "warning"),  # the package's own function: another package's `flushPending` now
    ("_ = pending(3)", "info"),     # only what the file itself declares
])
def test_a_go_file_moved_to_another_package(tmp_path, call: str, severity: str) -> None:
    main = {"go.mod": "module example.com/app\n\ngo 1.22\n",
            "internal/tasks/flush.go": FLUSHER.format(pkg="tasks", call=call),
            "internal/tasks/store.go": "package tasks\n\nfunc flushPending() {\n\twriteAll()\n}\n",
            "internal/billing/store.go": "package billing\n\nfunc flushPending() {\n\tdropAll()\n}\n"}
    found = _moved(tmp_path, main, {"internal/tasks/flush.go": None,
                                    "internal/billing/flush.go": FLUSHER.format(pkg="billing", call=call)})
    assert found[("internal/billing/flush.go", "head")] == severity


def test_a_go_files_own_variable_built_by_its_package_is_rebound_by_the_move(tmp_path) -> None:
    # `store` is the file's own, but `newStore` is the package's: another package's now.
    flusher = ("package {pkg}\n\nvar store = newStore()\n\nfunc Start() {{\n\tgo func() {{\n\t\tstore.Flush()\n\t}}()\n}}\n")
    main = {"go.mod": "module example.com/app\n\ngo 1.22\n", "internal/tasks/flush.go": flusher.format(pkg="tasks"),
            "internal/tasks/store.go": "package tasks\n\nfunc newStore() *Store {\n\treturn &Store{locked: true}\n}\n",
            "internal/billing/store.go": "package billing\n\nfunc newStore() *Store {\n\treturn &Store{}\n}\n"}
    found = _moved(tmp_path, main, {"internal/tasks/flush.go": None, "internal/billing/flush.go": flusher.format(pkg="billing")})
    assert found[("internal/billing/flush.go", "head")] == "warning"


SWEEPER = ("package com.example.{pkg};\n\nimport org.springframework.scheduling.annotation.Scheduled;\n{imports}\n"
           "public class Sweeper {{\n  private final Registry registry = new Registry();\n\n"
           "  @Scheduled(fixedDelay = 1000)\n  public void sweep() {{\n    registry.expire(30);\n  }}\n}}\n")
REGISTRY = "package com.example.{pkg};\n\npublic class Registry {{\n  public void expire(int s) {{\n    {body}\n  }}\n}}\n"


@pytest.mark.parametrize("imports, severity", [
    ("", "warning"),  # `Registry` is now the new package's own Registry: another class
    ("import com.example.service.Registry;\n", "info"),  # still the old package's, imported
])
def test_a_java_class_moved_to_a_package_with_a_class_of_a_name_it_uses(tmp_path, imports: str, severity: str) -> None:
    root = "src/main/java/com/example"
    main = {f"{root}/service/Sweeper.java": SWEEPER.format(pkg="service", imports=""),
            f"{root}/service/Registry.java": REGISTRY.format(pkg="service", body="lockAndExpire(s);"),
            f"{root}/thread/Registry.java": REGISTRY.format(pkg="thread", body="expireAll();")}
    found = _moved(tmp_path, main, {f"{root}/service/Sweeper.java": None,
                                    f"{root}/thread/Sweeper.java": SWEEPER.format(pkg="thread", imports=imports)})
    assert found[(f"{root}/thread/Sweeper.java", "head")] == severity


def test_a_go_unit_that_uses_only_imported_packages_moves_unchanged(tmp_path) -> None:
    # `redis` is the package of github.com/redis/go-redis/v9: an import, the same from any folder.
    flusher = ("package {pkg}\n\nimport (\n\t\"context\"\n\n\t\"github.com/redis/go-redis/v9\"\n)\n\n"
               "func Start(ctx context.Context, rdb *redis.Client) {{\n\tgo func() {{\n"
               "\t\tif err := rdb.Del(ctx, \"lock\").Err(); err != redis.Nil {{\n\t\t\tpanic(err)\n\t\t}}\n\t}}()\n}}\n")
    main = {"go.mod": "module example.com/app\n\ngo 1.22\n", "internal/tasks/flush.go": flusher.format(pkg="tasks")}
    found = _moved(tmp_path, main, {"internal/tasks/flush.go": None, "internal/billing/flush.go": flusher.format(pkg="billing")})
    assert found[("internal/billing/flush.go", "head")] == "info"
