"""Readings from session 36's work on apps-ac (tests/corpus/*-labelled-apps-ac.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from deploycheck.rules.trees.parse import parse_bytes
from support.scanning import flagged_on_branch

# --- Kotlin: syntax newer than the grammar, fail closed only where it is unreadable ------------------

# mihon's trackers (apps-ac 01bfaa99, a81b7bce, 31d3c237): a GraphQL query in a Kotlin 2.1
# multi-dollar string and a DTO mapping assigning a property named `private` were DC703 high,
# "does not parse as kotlin", on valid code.
MULTI_DOLLAR = b'''class Api {
    suspend fun details(id: Int): String {
        val query = $$"""
        |query Search($manga_id: Int) {
            |media(id: $manga_id) { id $${id} }
        |}
        """.trimMargin()
        return $$"$id=$$id" + query
    }
}
'''
MODIFIER_AS_NAME = b'''fun toTrack(attrs: Attrs) = Track.create().apply {
    private = attrs.private
    open = attrs.open ?: false
    score = if (internal) 1.0 else 0.0
}
'''


@pytest.mark.parametrize("source", [MULTI_DOLLAR, MODIFIER_AS_NAME])
def test_valid_newer_kotlin_parses(source: bytes) -> None:
    p = parse_bytes("kotlin", source)
    assert p.error_rows == set()
    assert p.text(p.root) == source.decode()  # the code's own text, not the spelling parsed


@pytest.mark.parametrize("broken, row", [
    (b'fun f() {\n    val q = $$"""\n    unclosed(\n}\n', 2),  # an unclosed string is still an error
    (b'class A {\n    private\n    fun f() = 1 +\n}\n', 3),  # and a dangling operator
])
def test_broken_kotlin_is_still_unparsed(broken: bytes, row: int) -> None:
    assert row in parse_bytes("kotlin", broken).error_rows


def test_a_multi_dollar_query_in_a_coroutine_is_read_not_refused(tmp_path) -> None:
    base = MULTI_DOLLAR.decode()
    head = base.replace("id $${id} }", "id title $${id} }")
    files = {"app/src/main/kotlin/Api.kt": base,
             "app/src/main/kotlin/Sync.kt": "import kotlinx.coroutines.*\n\nclass Sync(private val api: Api) {\n"
                                             "    fun start(scope: CoroutineScope) {\n"
                                             "        scope.launch(Dispatchers.IO) { api.details(1) }\n    }\n}\n"}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/Api.kt": head}, rule=None)
    assert not [f for f in found if "does not parse" in f[4]], found
