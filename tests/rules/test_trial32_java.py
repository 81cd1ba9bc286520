"""Readings from session 32's new-user trial on OpenVidu/openvidu (Java), on real git
repositories: each case fails without its reading; the guards show what stays unflagged."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- DC511: an executor's pool made by `Executors` --------------------------------------------

# openvidu a4fcf9074: the webhook sender's pool of one thread per processor became a single
# thread, so events sent in parallel and in any order went out one at a time, in order, each
# behind the one before. Nothing was flagged, though DC511 said it read executor pool sizes.
SENDER = """package io.openvidu.server.webhook;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class HttpWebhookSender {

	private String httpEndpoint;

	private ExecutorService executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());

	public HttpWebhookSender(String httpEndpoint) {
		this.httpEndpoint = httpEndpoint;
	}

	public void sendHttpPostCallbackAsync(String event) {
		executor.execute(() -> this.sendHttpPostCallbackBlocking(event));
	}

	public void sendHttpPostCallbackBlocking(String event) {
		System.out.println(httpEndpoint + event);
	}
}
"""
SENDER_PATH = "openvidu-server/src/main/java/io/openvidu/server/webhook/HttpWebhookSender.java"
OPENVIDU_POOL = "Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())"


def _dc511(tmp_path, path: str, before: str | None, after: str | None) -> list[tuple]:
    return flagged_on_branch(tmp_path, {path: before} if before is not None else {}, {path: after}, rule="DC511")


def test_openvidu_webhook_pool_made_single_threaded(tmp_path) -> None:
    found = _dc511(tmp_path, SENDER_PATH, SENDER, SENDER.replace(OPENVIDU_POOL, "Executors.newSingleThreadExecutor()"))
    assert [(line, side) for _, line, side, *_ in found] == [(10, "head")]
    message = found[0][4]
    assert "newFixedThreadPool(Runtime.getRuntime().availableProcessors())" in message
    assert "one task at a time, in the order they are submitted" in message


FIXED = SENDER.replace(OPENVIDU_POOL, "Executors.newFixedThreadPool(4)")


@pytest.mark.parametrize("after, says", [
    ("Executors.newFixedThreadPool(8)", "more tasks now run at the same time"),
    ("Executors.newSingleThreadExecutor()", "now wait for each other"),
    ("Executors.newCachedThreadPool()", "every task submitted at once"),
    ("Executors.newScheduledThreadPool(1)", "now wait for each other"),
])
def test_an_executor_factory_or_size_changed(tmp_path, after: str, says: str) -> None:
    found = _dc511(tmp_path, SENDER_PATH, FIXED, FIXED.replace("Executors.newFixedThreadPool(4)", after))
    assert [line for _, line, *_ in found] == [10]
    assert says in found[0][4]


def test_a_single_thread_made_a_pool_says_the_order_is_gone(tmp_path) -> None:
    single = SENDER.replace(OPENVIDU_POOL, "Executors.newSingleThreadExecutor()")
    found = _dc511(tmp_path, SENDER_PATH, single, single.replace("newSingleThreadExecutor()", "newFixedThreadPool(2)"))
    assert [line for _, line, *_ in found] == [10]
    assert "finish in any order" in found[0][4]


KOTLIN = """package app

import java.util.concurrent.Executors

class Notifier {
    private val pool = Executors.newFixedThreadPool(4)

    fun notify(event: String) {
        pool.submit { println(event) }
    }
}
"""


def test_kotlin_executor_size_changed(tmp_path) -> None:
    found = _dc511(tmp_path, "src/main/kotlin/app/Notifier.kt", KOTLIN, KOTLIN.replace("newFixedThreadPool(4)",
                                                                                       "newFixedThreadPool(16)"))
    assert [line for _, line, *_ in found] == [6]


def test_an_executor_added_or_removed_is_a_change_in_how_many_run_at_once(tmp_path) -> None:
    # Added (openvidu 5c4b9c799 sent its webhooks in the background this way) ...
    without = SENDER.replace(f"private ExecutorService executor = {OPENVIDU_POOL};", "private Runnable executor;")
    added = _dc511(tmp_path / "added", SENDER_PATH, without, FIXED)
    assert [(line, side) for _, line, side, *_ in added] == [(10, "head")]
    assert "new executor" in added[0][4] and "up to 4 tasks at once" in added[0][4]
    # ... and removed from a file that stays.
    removed = _dc511(tmp_path / "removed", SENDER_PATH, FIXED, without)
    assert [(line, side) for _, line, side, *_ in removed] == [(10, "base")]


@pytest.mark.parametrize("after", [
    # Reformatted: the same factory and size.
    FIXED.replace("Executors.newFixedThreadPool(4)", "Executors.newFixedThreadPool( 4 )"),
    FIXED.replace("Executors.newFixedThreadPool(4)", "Executors\n\t\t\t.newFixedThreadPool(4)"),
    # Moved within the file.
    FIXED.replace("\tprivate ExecutorService executor = Executors.newFixedThreadPool(4);\n\n", "").replace(
        "\tpublic void sendHttpPostCallbackAsync(", "\tprivate ExecutorService executor = Executors.newFixedThreadPool(4);\n\n"
        "\tpublic void sendHttpPostCallbackAsync("),
    # Another thread factory: threads named otherwise, as many of them.
    FIXED.replace("Executors.newFixedThreadPool(4)", "Executors.newFixedThreadPool(4, Thread::new)"),
    # Only a line near it changed.
    FIXED.replace("this.httpEndpoint = httpEndpoint;", "this.httpEndpoint = httpEndpoint.trim();"),
])
def test_an_executor_only_moved_or_reformatted_stays_quiet(tmp_path, after: str) -> None:
    assert after != FIXED
    assert _dc511(tmp_path, SENDER_PATH, FIXED, after) == []


def test_an_executor_deleted_with_its_file_stays_quiet(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {SENDER_PATH: FIXED, "README.md": "x\n"}, {SENDER_PATH: None}, rule="DC511")
    assert found == []


# --- DC711: a line changed inside a shutdown callback -----------------------------------------

# A `@Component` whose `@PreDestroy` stops the pool its tasks run on: removing `pool.shutdown()`
# leaves the pool's threads running at every deploy. DC711 read a file only when its changed
# lines named `@PreDestroy` or `destroy`, and a hook's lines only removed not at all.
CLOSER = """package app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.annotation.PreDestroy;
import org.springframework.stereotype.Component;

@Component
public class EventPublisher {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    public void publish(String event) {
        pool.submit(() -> System.out.println(event));
    }

    @PreDestroy
    void close() {
        // stop taking events, then let the queued ones finish
        pool.shutdown();
        System.out.println("closed");
    }
}
"""
CLOSER_PATH = "src/main/java/app/EventPublisher.java"


def _dc711(tmp_path, path: str, before: str, after: str) -> list[tuple]:
    return flagged_on_branch(tmp_path, {path: before}, {path: after}, rule="DC711")


def test_a_line_removed_from_a_predestroy_method(tmp_path) -> None:
    found = _dc711(tmp_path, CLOSER_PATH, CLOSER, CLOSER.replace("        pool.shutdown();\n", ""))
    assert [(line, side) for _, line, side, *_ in found] == [(19, "base")]
    assert "EventPublisher::close" in found[0][4]


def test_a_line_added_to_a_predestroy_method(tmp_path) -> None:
    found = _dc711(tmp_path, CLOSER_PATH, CLOSER, CLOSER.replace(
        "        pool.shutdown();\n", "        pool.shutdown();\n        publish(\"closing\");\n"))
    assert [(line, side) for _, line, side, *_ in found] == [(20, "head")]


# openvidu f2582aa7c: `KmsManager.close()`, a `@PreDestroy`, cancels each KMS's reconnection timer
# instead of the one the manager held. Its changed lines name neither `@PreDestroy` nor `destroy`.
KMS_MANAGER = """package io.openvidu.server.kurento.kms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.annotation.PreDestroy;

public abstract class KmsManager {

	protected Map<String, Kms> kmss = new ConcurrentHashMap<>();
	private UpdatableTimerTask kurentoReconnectTimer;

	public void reconnect(Kms kms) {
		kms.getKurentoClient().connect();
	}

	@PreDestroy
	public void close() {
		if (kurentoReconnectTimer != null) {
			kurentoReconnectTimer.cancelTimer();
		}
		log.info("Closing all KurentoClients");
		this.kmss.values().forEach(kms -> {
			kms.getKurentoClient().destroy();
		});
	}
}
"""
KMS_CLOSE_AFTER = KMS_MANAGER.replace("""		if (kurentoReconnectTimer != null) {
			kurentoReconnectTimer.cancelTimer();
		}
		log.info("Closing all KurentoClients");
		this.kmss.values().forEach(kms -> {
""", """		log.info("Closing all KurentoClients");
		this.kmss.values().forEach(kms -> {
			if (kms.getKurentoClientReconnectTimer() != null) {
				kms.getKurentoClientReconnectTimer().cancelTimer();
			}
""")


def test_openvidu_kms_manager_close_changed(tmp_path) -> None:
    path = "openvidu-server/src/main/java/io/openvidu/server/kurento/kms/KmsManager.java"
    found = _dc711(tmp_path, path, KMS_MANAGER, KMS_CLOSE_AFTER)
    assert [(line, side) for _, line, side, *_ in found] == [(21, "head")]
    assert "KmsManager::close" in found[0][4]


DISPOSABLE = """package app;

import org.springframework.beans.factory.DisposableBean;

public class Registry implements DisposableBean {
    private final Worker worker = new Worker();

    public void register(String name) {
        worker.add(name);
    }

    @Override
    public void destroy() {
        worker.stop();
        worker.join();
    }
}
"""
BEAN_CONFIG = """package app;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class Workers {
    @Bean(destroyMethod = "halt")
    public Crawler crawler() {
        return new Crawler();
    }

    public static class Crawler {
        private final Thread thread = new Thread(this::crawl);

        void crawl() {
            System.out.println("crawling");
        }

        void halt() {
            thread.interrupt();
        }
    }
}
"""


@pytest.mark.parametrize("path, source, before, after, lines", [
    # DisposableBean.destroy(): a line removed from it, and one changed.
    ("src/main/java/app/Registry.java", DISPOSABLE, "        worker.join();\n", "", [(15, "base")]),
    ("src/main/java/app/Registry.java", DISPOSABLE, "worker.join();", "worker.join(1000);", [(15, "head")]),
    # The method a `@Bean(destroyMethod = …)` names, in a class of the same file.
    ("src/main/java/app/Workers.java", BEAN_CONFIG, "thread.interrupt();", "thread.stop();", [(21, "head")]),
    # Guards: a comment changed in the hook, a line of another method, a line only respaced.
    (CLOSER_PATH, CLOSER, "// stop taking events", "// stop taking new events", []),
    (CLOSER_PATH, CLOSER, "System.out.println(event)", "System.out.println(event.trim())", []),
    (CLOSER_PATH, CLOSER, "        pool.shutdown();\n", "        pool.shutdown();  \n", []),
    ("src/main/java/app/Workers.java", BEAN_CONFIG, '"crawling"', '"crawling on"', []),
])
def test_shutdown_callbacks_read_by_their_lines(tmp_path, path: str, source: str, before: str, after: str,
                                                lines: list[tuple[int, str]]) -> None:
    assert before in source
    found = _dc711(tmp_path, path, source, source.replace(before, after))
    assert [(line, side) for _, line, side, *_ in found] == lines


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
