"""Readings from session 31's work on apps-x (tests/corpus/*-labelled-apps-x.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Java: a parameter or local variable named as a static collection -----------------------

# onedev's translation tables (apps-x 458e1020, e5cec972): `init(Map<String, String> m)` fills the
# map it is handed, a parameter named as the class's static `m`. Eight files of added `m.put`
# lines were read as writes of the static HashMap outside `synchronized` (their file watcher's
# reload runs on another thread: here an executor's task).
TRANSLATION = """package app;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

public class Translation_de {
	private static final Map<String, String> m = new HashMap<>();

	static {
		init(m);
		Executors.newSingleThreadScheduledExecutor().submit(() -> note("reloaded"));
	}

	public static void init(Map<String, String> m) {
		m.clear();
		m.put("hello", "hallo");
	}

	public static void note(String key) {
		m.put(key, key);
	}

	public static void each(Map<String, String> other) {
		other.forEach((k, v) -> { Map<String, String> m = new HashMap<>(); m.put(k, v); });
	}
}
"""


@pytest.mark.parametrize("before, after, lines", [
    # A parameter `m`: the method fills what it is handed, not the static.
    ('m.put("hello", "hallo");\n', 'm.put("hello", "hallo");\n\t\tm.put("bye", "tschuss");\n', []),
    # A local `m` declared in a lambda's block: its own map.
    ("m.put(k, v); });", "m.put(k, v); m.put(v, k); });", []),
    # The static itself, written from a method with no parameter of that name: still DC706.
    ("m.put(key, key);", "m.put(key, key.trim());", [21]),
])
def test_java_a_parameter_or_local_named_as_a_static_map_is_not_the_static(tmp_path, before: str, after: str,
                                                                           lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"src/app/Translation_de.java": TRANSLATION},
                              {"src/app/Translation_de.java": TRANSLATION.replace(before, after)}, rule="DC706")
    assert [line for _, line, *_ in found] == lines
