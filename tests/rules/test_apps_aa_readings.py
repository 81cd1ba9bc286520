"""Readings from session 34's work on apps-aa (tests/corpus/*-labelled-apps-aa.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Kotlin: a coroutine of Android's main thread is no task for another thread ------------------

# owncloud (apps-aa 90f1483895): a settings screen's `lifecycleScope.launch { … }` showed a snackbar,
# and every change to the snackbar helpers was "background code".
SCREEN = """package app.ui

import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch

class SettingsScreen : Fragment() {
    fun observe() {
        SCOPE {
            showNotice("no accounts")
        }
    }
}
"""
NOTICE = """package app.ui

fun Fragment.showNotice(text: String) {
    Snackbar.make(view, text, Snackbar.LENGTH_LONG).show()
}
"""
LONGER = NOTICE.replace("LENGTH_LONG", "LENGTH_SHORT")


@pytest.mark.parametrize("scope", [
    "lifecycleScope.launch",
    "viewLifecycleOwner.lifecycleScope.launch",
    "viewModelScope.launch",
    "lifecycleScope.launch(Dispatchers.Main)",
    "MainScope().launch",
    # a coroutine started inside a main-thread one, with no dispatcher of its own, stays there
    "lifecycleScope.launch { launch",
    "viewLifecycleOwner.lifecycleScope.launch { viewLifecycleOwner.repeatOnLifecycle(Lifecycle.State.STARTED)",
])
def test_kotlin_a_main_thread_coroutine_is_not_background_code(tmp_path, scope: str) -> None:
    screen = SCREEN.replace("SCOPE {", scope + " {")
    if "{ " in scope:
        screen = screen.replace('showNotice("no accounts")\n', 'showNotice("no accounts")\n        }\n')
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/SettingsScreen.kt": screen,
                                         "app/src/main/java/app/ui/Notice.kt": NOTICE},
                              {"app/src/main/java/app/ui/Notice.kt": LONGER})
    assert found == []


@pytest.mark.parametrize("scope", [
    "lifecycleScope.launch(Dispatchers.IO)",
    "viewModelScope.launch(io)",
    "CoroutineScope(Dispatchers.IO).launch",
    "GlobalScope.launch",
    "lifecycleScope.launch(Dispatchers.IO) { launch",
])
def test_kotlin_a_coroutine_on_another_dispatcher_stays_background_code(tmp_path, scope: str) -> None:
    screen = SCREEN.replace("SCOPE {", scope + " {")
    if "{ " in scope:
        screen = screen.replace('showNotice("no accounts")\n', 'showNotice("no accounts")\n        }\n')
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/SettingsScreen.kt": screen,
                                         "app/src/main/java/app/ui/Notice.kt": NOTICE},
                              {"app/src/main/java/app/ui/Notice.kt": LONGER})
    assert [(path, line) for path, line, *_ in found] == [("app/src/main/java/app/ui/Notice.kt", 4)]


def test_kotlin_the_main_thread_part_of_a_background_coroutine_is_cut_out(tmp_path) -> None:
    # owncloud's FileDisplayActivity: credentials read on the IO dispatcher, the snackbar shown back
    # on the main thread. Only what the IO part calls is background code.
    screen = SCREEN.replace("""        SCOPE {
            showNotice("no accounts")
        }""", """        lifecycleScope.launch(Dispatchers.IO) {
            val credentials = loadCredentials()
            launch(Dispatchers.Main) {
                showNotice("no accounts")
            }
            audit(credentials)
        }""")
    main = {"app/src/main/java/app/ui/SettingsScreen.kt": screen, "app/src/main/java/app/ui/Notice.kt": NOTICE,
            "app/src/main/java/app/ui/Audit.kt": "package app.ui\n\nfun audit(c: String) {\n    store.write(c)\n}\n"}
    assert flagged_on_branch(tmp_path / "a", main, {"app/src/main/java/app/ui/Notice.kt": LONGER}) == []
    found = flagged_on_branch(tmp_path / "b", main, {"app/src/main/java/app/ui/Audit.kt": main[
        "app/src/main/java/app/ui/Audit.kt"].replace("store.write(c)", "store.writeAll(c)")})
    assert [(path, line) for path, line, *_ in found] == [("app/src/main/java/app/ui/Audit.kt", 4)]
