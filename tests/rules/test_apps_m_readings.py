"""Readings made on apps-m (session 20's held-out sample, scanned at the start commit 23ed750):
each test fails without its change. Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

from support.scanning import flagged_on_branch as _found

# --- A JVM package named like a folder of built code is code --------------------------------------

_BUILD_RUNNER = ("package org.x.build;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
                 "public class BuildQueue {\n    private int pending;\n\n"
                 "    @Scheduled(fixedRate = 5000)\n    public void drain() {\n        pending = pending - 1;\n    }\n}\n")


def test_java_a_build_package_below_the_source_root_is_read_as_code(tmp_path) -> None:
    # Jpom's `org/dromara/jpom/build/BuildExecuteManage.java`: taken for a build output folder, it
    # was reported unread (DC001, high) on every change, its hazards never read.
    path = "modules/server/src/main/java/org/x/build/BuildQueue.java"
    found = _found(tmp_path, {path: _BUILD_RUNNER}, {path: _BUILD_RUNNER.replace("pending - 1", "pending - 2")},
                   rule=None)
    assert found and all(rule_path == path for rule_path, *_ in found)
    assert not [f for f in found if "could not analyse" in f[4]]


def test_built_and_test_folders_above_the_source_root_still_are() -> None:
    from deploycheck.rules.paths import is_test_or_doc

    assert not is_test_or_doc("modules/server/src/main/java/org/x/build/BuildRunner.java")
    assert not is_test_or_doc("src/main/kotlin/org/x/vendor/Client.kt")
    assert is_test_or_doc("build/generated/src/main/java/org/x/Api.java")
    assert is_test_or_doc("src/main/java/org/x/OrderServiceTest.java")
    assert is_test_or_doc("src/test/java/org/x/build/BuildRunner.java")
