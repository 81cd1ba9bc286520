"""Readings from session 32's new-user trial on OpenVidu/openvidu (Java), on real git
repositories: each case fails without its reading; the guards show what stays unflagged."""

from __future__ import annotations

from support.scanning import flagged_on_branch

# --- DC253 (and DC704, DC358): an import is no concurrency control ----------------------------

# openvidu 19a7c778d (and ac30d55a1): the new field `AtomicInteger statsNotFoundErrors` was
# flagged, and so was its `import java.util.concurrent.atomic.AtomicInteger;`.
ENDPOINT = """package io.openvidu.server.kurento.endpoint;

import java.util.concurrent.CountDownLatch;

public abstract class MediaEndpoint {

	public CountDownLatch endpointLatch = new CountDownLatch(1);

	public void onError() {
		endpointLatch.countDown();
	}
}
"""
ENDPOINT_AFTER = ENDPOINT.replace(
    "import java.util.concurrent.CountDownLatch;\n",
    "import java.util.concurrent.CountDownLatch;\nimport java.util.concurrent.atomic.AtomicInteger;\n").replace(
    "\tpublic CountDownLatch endpointLatch = new CountDownLatch(1);\n",
    "\tpublic CountDownLatch endpointLatch = new CountDownLatch(1);\n"
    "\tpublic AtomicInteger statsNotFoundErrors = new AtomicInteger(0);\n")


def test_openvidu_atomic_import_is_not_concurrency_control(tmp_path) -> None:
    path = "openvidu-server/src/main/java/io/openvidu/server/kurento/endpoint/MediaEndpoint.java"
    found = flagged_on_branch(tmp_path, {path: ENDPOINT}, {path: ENDPOINT_AFTER}, rule=None)
    assert 4 not in [line for _, line, *_ in found]
    # The field that uses it is still the change.
    assert [line for _, line, _, _, message in found if "concurrency control changed" in message] == [9]


KOTLIN_IMPORT = """package app

import kotlinx.coroutines.sync.Mutex
import java.util.concurrent.locks.ReentrantLock as Lock

class Counter {
    var n = 0
}
"""


def test_kotlin_imports_are_not_concurrency_control(tmp_path) -> None:
    path = "src/main/kotlin/app/Counter.kt"
    before = KOTLIN_IMPORT.replace("import kotlinx.coroutines.sync.Mutex\n", "").replace(
        "import java.util.concurrent.locks.ReentrantLock as Lock\n", "")
    assert flagged_on_branch(tmp_path, {path: before}, {path: KOTLIN_IMPORT}, rule="DC253") == []


LOCKED = """package app;

import java.util.concurrent.locks.ReentrantLock;

public class Ledger {
    private final ReentrantLock lock = new ReentrantLock();
    private long total;

    public void add(long amount) {
        total += amount;
    }
}
"""


def test_a_lock_removed_with_its_import_is_reported_at_the_lock(tmp_path) -> None:
    path = "src/main/java/app/Ledger.java"
    after = LOCKED.replace("import java.util.concurrent.locks.ReentrantLock;\n", "").replace(
        "    private final ReentrantLock lock = new ReentrantLock();\n", "")
    found = flagged_on_branch(tmp_path, {path: LOCKED}, {path: after}, rule=None)
    assert [(line, side) for _, line, side, *_ in found] == [(6, "base")]  # DC358, not also at the import


def test_dc704_does_not_count_an_import_as_a_primitive_gained(tmp_path) -> None:
    path = "openvidu-server/src/main/java/io/openvidu/server/kurento/endpoint/MediaEndpoint.java"
    found = flagged_on_branch(tmp_path, {path: ENDPOINT}, {path: ENDPOINT_AFTER}, rule="DC704")
    assert all(line != 4 for _, line, *_ in found)
