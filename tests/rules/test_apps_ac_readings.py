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


# --- Kotlin reach: which function a call runs ----------------------------------------------------------

WORKER = """import kotlinx.coroutines.*

class LocalSource(private val scope: CoroutineScope) {
    KEEP
    fun fetch() {
        scope.launch(Dispatchers.IO) { CALL }
    }
}
"""
TRACKER_API = "class AnilistApi {\n    suspend fun getMangaDetails(id: Int): String {\n        return BODY\n    }\n}\n"


def _tracker_change(tmp_path, keep: str, call: str, open_class: bool = False) -> list[tuple]:
    worker = WORKER.replace("KEEP", keep).replace("CALL", call)
    if open_class:
        worker = worker.replace("class LocalSource", "open class LocalSource")
    files = {"app/src/main/kotlin/AnilistApi.kt": TRACKER_API.replace("BODY", '"a"'),
             "app/src/main/kotlin/LocalSource.kt": worker}
    return flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/AnilistApi.kt": TRACKER_API.replace("BODY", '"b"')})


OWN = 'suspend fun getMangaDetails(id: Int): String = "local"'


@pytest.mark.parametrize("keep, call, open_class, flagged", [
    # mihon's local source (apps-ac c613b525, a81b7bce) runs its own `getMangaDetails` in `async`
    (OWN, "getMangaDetails(1)", False, False),
    (OWN, "this.getMangaDetails(1)", False, False),
    # an open class's bare call may run a subclass's override: kept
    (OWN, "getMangaDetails(1)", True, True),
    # inside `with(api) { … }` the receiver's member may be the one called: kept
    (OWN, "with(api) { getMangaDetails(1) }", False, True),
    # the class declares no such function: the call may be any
    ("val api = AnilistApi()", "api.getMangaDetails(1)", False, True),
])
def test_a_final_class_s_bare_call_runs_its_own_function(tmp_path, keep, call, open_class, flagged) -> None:
    found = _tracker_change(tmp_path, keep, call, open_class)
    assert bool(found) == flagged, found


TRACKER = """abstract class BaseTracker {
    open suspend fun register(item: Int) {
        bind(item)
    }

    suspend fun bind(item: Int): Int {
        return BODY
    }
}
"""
RECEIVER = "class ExtensionInstallReceiver(private val listener: Any) {\n    fun register(context: Int) {\n        println(context)\n    }\n}\n"
HEIR = "class Kitsu : BaseTracker()\n"
MANAGER = """import kotlinx.coroutines.*

class ExtensionManager(scope: CoroutineScope) {
    init {
        scope.launch(Dispatchers.IO) {
            CALL
        }
    }
}
"""


@pytest.mark.parametrize("call, flagged", [
    # mihon (apps-ac 31d3c237): the install receiver's own `register`, not the trackers'
    ("ExtensionInstallReceiver(1).register(2)", False),
    # a subclass of the tracker constructed there inherits its `register`: kept
    ("Kitsu().register(2)", True),
])
def test_a_call_on_an_object_constructed_there_is_its_class_s(tmp_path, call, flagged) -> None:
    files = {"app/src/main/kotlin/BaseTracker.kt": TRACKER.replace("BODY", "item"),
             "app/src/main/kotlin/ExtensionInstallReceiver.kt": RECEIVER,
             "app/src/main/kotlin/Kitsu.kt": HEIR,
             "app/src/main/kotlin/ExtensionManager.kt": MANAGER.replace("CALL", call)}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/BaseTracker.kt": TRACKER.replace("BODY", "item + 1")})
    assert bool(found) == flagged, found


HELPER = "object KitsuDateHelper {\n    fun parse(date: String?): Long {\n        return BODY\n    }\n}\n"
JOB = """import androidx.work.CoroutineWorker
import java.text.SimpleDateFormat

class MetadataJob(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    DECLARE
    override suspend fun doWork(): Result {
        CALL
        return Result.success()
    }
}
"""


@pytest.mark.parametrize("declare, call, flagged", [
    # mihon (apps-ac 31d3c237): a date format's `parse` is no call of the helper object's
    ('private val dateFormat = SimpleDateFormat("yyyy")', 'dateFormat.parse("2020")', False),
    ("", 'KitsuDateHelper.parse("2020")', True),
    # the object held in a variable: kept
    ("private val dates = KitsuDateHelper", 'dates.parse("2020")', True),
])
def test_an_object_s_function_is_called_on_the_object(tmp_path, declare, call, flagged) -> None:
    files = {"app/src/main/kotlin/KitsuDateHelper.kt": HELPER.replace("BODY", "0L"),
             "app/src/main/kotlin/MetadataJob.kt": JOB.replace("DECLARE", declare).replace("CALL", call)}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/KitsuDateHelper.kt": HELPER.replace("BODY", "1L")})
    assert bool(found) == flagged, found


@pytest.mark.parametrize("declaration, flagged", [
    # the branch deletes the helper object: still only its own calls reach it
    ("object KitsuDateHelper", False),
    ("class KitsuDateHelper", True),  # a class's function: a value may hold one of its objects
])
def test_a_removed_object_s_function_keeps_its_restriction(tmp_path, declaration, flagged) -> None:
    helper = HELPER.replace("BODY", "0L").replace("object KitsuDateHelper", declaration)
    files = {"app/src/main/kotlin/KitsuDateHelper.kt": helper,
             "app/src/main/kotlin/MetadataJob.kt": JOB.replace("DECLARE", 'private val dateFormat = SimpleDateFormat("y")')
             .replace("CALL", 'dateFormat.parse("2020")')}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/KitsuDateHelper.kt": None})
    assert bool(found) == flagged, found


@pytest.mark.parametrize("declare, call, flagged", [
    # mihon's library update job (apps-ac 31d3c237): `getManga` is an injected use case
    ("@Inject private lateinit var getManga: GetManga", "getManga.await(1)", False),
    ("", "getManga(1)", True),
])
def test_a_property_named_like_a_function_calls_nothing(tmp_path, declare, call, flagged) -> None:
    api = "class HikkaApi {\n    suspend fun getManga(id: Int): Int {\n        return BODY\n    }\n}\n"
    files = {"app/src/main/kotlin/HikkaApi.kt": api.replace("BODY", "id"),
             "app/src/main/kotlin/MetadataJob.kt": JOB.replace("DECLARE", declare).replace("CALL", call)}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/HikkaApi.kt": api.replace("BODY", "id + 1")})
    assert bool(found) == flagged, found


RAIL = """import androidx.compose.runtime.*
import kotlinx.coroutines.*

@Composable
fun NavigationRailItem(tab: Tab) {
    val scope = SCOPE
    Item(onClick = {
        scope.launch { tab.onReselect(BODY) }
    })
}
"""


@pytest.mark.parametrize("scope, flagged", [
    # mihon's home screen (apps-ac a2c24ff0): the composition's scope runs on the main thread
    ("rememberCoroutineScope()", False),
    ("rememberCoroutineScope { Dispatchers.IO }", True),
    ("CoroutineScope(Dispatchers.IO)", True),
])
def test_a_composition_scope_s_coroutine_is_the_ui_s(tmp_path, scope, flagged) -> None:
    rail = RAIL.replace("SCOPE", scope)
    files = {"app/src/main/kotlin/HomeScreen.kt": rail.replace("BODY", "1")}
    found = flagged_on_branch(tmp_path, files, {"app/src/main/kotlin/HomeScreen.kt": rail.replace("BODY", "2")})
    assert bool(found) == flagged, found


# --- Ruby: a conditional update whose count decides who won is a claim -------------------------------

PAYMENT = """class Payment < ApplicationRecord
  def void!
    BODY
    publish_event('payment.voided')
    true
  end
end
"""
CAS = "return false unless self.class.where(id: id).where.not(status: 'void').update_all(status: 'void') == 1"


@pytest.mark.parametrize("before, after, rule, flagged", [
    # spree 13b951b0 (apps-ac): `void!` became a compare-and-swap that only one of two racing voids wins
    ("update!(status: 'void')", CAS, "DC251", True),
    ("update!(status: 'void')", "return false if Payment.where(id: id, status: 'open').update_all(status: 'void').zero?", "DC251", True),
    # the claim removed is not read as a safeguard gone: one rewritten through a variable would
    # be a false high (the red team of session 36)
    (CAS, "update!(status: 'void')", "DC355", False),
    (CAS, "rows = self.class.where(id: id).where.not(status: 'void').update_all(status: 'void')\n    return false unless rows == 1",
     "DC355", False),
    # an association's bulk update whose count picks a response decides no winner
    ("update!(status: 'void')", "return head(:not_modified) if notifications.unread.update_all(read_at: Time.current).zero?",
     "DC251", False),
    # an unconditional bulk write whose count nobody reads claims nothing
    ("update!(status: 'void')", "self.class.where(id: id).update_all(status: 'void')", "DC251", False),
])
def test_ruby_a_counted_conditional_update_is_a_claim(tmp_path, before, after, rule, flagged) -> None:
    path = "app/models/payment.rb"
    found = flagged_on_branch(tmp_path, {path: PAYMENT.replace("BODY", before)}, {path: PAYMENT.replace("BODY", after)}, rule=rule)
    assert bool(found) == flagged, found


# --- Go: a claim decided by RowsAffected, a once-only guard ----------------------------------------------

QUEUE = """package db

func TakeNext(userID uint) (*Gist, error) {
	queue := new(GistInitQueue)
	if err := db.Where("user_id = ?", userID).First(&queue).Error; err != nil {
		return nil, err
	}
	res := db.Where("gist_id = ? AND user_id = ?", queue.GistID, userID).Delete(&GistInitQueue{})
	CHECK
	return &queue.Gist, nil
}
"""


@pytest.mark.parametrize("check, flagged", [
    # opengist 0f942c8a (apps-ac): of two pushes taking one entry, only the delete that removed it goes on
    ("if res.RowsAffected > 0 {\n\t\treturn &queue.Gist, nil\n\t}", True),
    ("if res.RowsAffected == 1 {\n\t\treturn &queue.Gist, nil\n\t}", True),
    # a request's "not found" is no claim
    ("if res.RowsAffected == 0 {\n\t\treturn nil, ErrNotFound\n\t}", False),
    ("if res.RowsAffected != 1 {\n\t\treturn nil, ErrNotFound\n\t}", False),  # the red team of session 36
    ("if res.Error != nil {\n\t\treturn nil, res.Error\n\t}", False),
])
def test_go_a_write_s_rows_affected_deciding_the_winner_is_a_claim(tmp_path, check, flagged) -> None:
    path = "internal/db/gist_init_queue.go"
    found = flagged_on_branch(tmp_path, {path: QUEUE.replace("CHECK", "")}, {path: QUEUE.replace("CHECK", check)}, rule="DC252")
    assert bool(found) == flagged, found


def test_go_a_once_only_guard_is_concurrency_control(tmp_path) -> None:
    # opengist 0f942c8a: gothic's global store, set by every caller, set by the first one only
    store = "package context\n\nfunc NewStore() *Store {\n\ts := &Store{}\n\tSET\n\treturn s\n}\n"
    once = "gothicStoreOnce.Do(func() {\n\t\tgothic.Store = s.UserStore\n\t})"
    head = store.replace("package context\n", "package context\n\nimport \"sync\"\n\nvar gothicStoreOnce sync.Once\n").replace("SET", once)
    found = flagged_on_branch(tmp_path, {"internal/web/context/store.go": store.replace("SET", "gothic.Store = s.UserStore")},
                              {"internal/web/context/store.go": head}, rule="DC252")
    assert [line for _, line, *_ in found] == [5], found


# --- Java: work deferred until the transaction commits ----------------------------------------------------

TEMPLATES = """package org.example;

public class TemplateService {
  public void evict(String uid) {
    BODY
  }
}
"""
AFTER_COMMIT = """if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              cache.invalidate(uid);
            }
          });
    }"""


@pytest.mark.parametrize("after, lines", [
    # dhis2 044acd98 (apps-ac): the cache eviction registered to run after the surrounding commit
    (AFTER_COMMIT, [6, 9]),
    ("cache.invalidate(uid);\n    cache.invalidate(uid + \"-meta\");", []),
    # Spring MVC's interceptor has an `afterCompletion` too (the red team of session 36)
    ("cache.invalidate(uid);\n  }\n\n  public void afterCompletion(HttpServletRequest request, HttpServletResponse response, "
     "Object handler, Exception ex) {\n    MDC.remove(uid);", []),
])
def test_jvm_work_deferred_until_commit_is_concurrency_control(tmp_path, after, lines) -> None:
    path = "src/main/java/org/example/TemplateService.java"
    found = flagged_on_branch(tmp_path, {path: TEMPLATES.replace("BODY", "cache.invalidate(uid);")},
                              {path: TEMPLATES.replace("BODY", after)}, rule="DC253")
    assert [line for _, line, *_ in found] == lines, found


# --- JS/TS: a function of the file's own named `schedule` is no cron job ---------------------------------

COPY_BUTTON = """IMPORT
export function CopyButton() {
    const schedule = (callback: () => void, ms: number) => {
        const handle = setTimeout(callback, ms);
        return handle;
    };
    const onClick = () => {
        schedule(() => {
            setCopied(BODY);
        }, 2000);
    };
    return onClick;
}
"""


@pytest.mark.parametrize("imported, flagged", [
    # authelia daec9a37 (apps-ac): the copy button's reset timer was a "cron job"
    ('import { useState } from "react";', False),
    # node-cron's `schedule`, imported bare, still runs a job
    ('import { schedule } from "node-cron";', True),
])
def test_js_a_bare_schedule_is_node_cron_s_only_where_imported(tmp_path, imported, flagged) -> None:
    path = "web/src/components/CopyButton.tsx"
    button = COPY_BUTTON.replace("IMPORT", imported)
    found = flagged_on_branch(tmp_path, {path: button.replace("BODY", "false")}, {path: button.replace("BODY", "true")})
    assert any("cron job" in f[4] for f in found) == flagged, found


# --- Go: an existence check, then a write (DC705) ----------------------------------------------------------

ALERT_LOG = """package alertlog

func (s *Store) MustLogTx(ctx context.Context, tx *sql.Tx, alertID int, kind Type) {
	CHECK
	err := s.LogTx(ctx, tx, alertID, kind)
	if err != nil {
		log.Log(ctx, errors.Wrap(err, "append alert log"))
	}
}
"""
RECENT = """if kind == TypeDuplicateSupressed {
		hasRecent, err := gadb.New(tx).AlertLog_HasRecentDuplicate(ctx, int64(alertID))
		if err != nil {
			log.Log(ctx, err)
			return
		}
		if hasRecent {
			return
		}
	}"""


@pytest.mark.parametrize("check, lines", [
    # goalert 835e68a2 (apps-x): a recent duplicate entry looked for, then the entry inserted
    (RECENT, [14]),
    # a check whose answer nothing tests decides nothing
    ("_, _ = gadb.New(tx).AlertLog_HasRecentDuplicate(ctx, int64(alertID))", []),
    # a lookup that is no existence check
    ("entry, _ := gadb.New(tx).AlertLog_Latest(ctx, int64(alertID))\n\tif entry {\n\t\treturn\n\t}", []),
])
def test_go_an_existence_check_then_a_write_is_check_then_act(tmp_path, check, lines) -> None:
    path = "alert/alertlog/store.go"
    found = flagged_on_branch(tmp_path, {path: ALERT_LOG.replace("CHECK", "")}, {path: ALERT_LOG.replace("CHECK", check)},
                              rule="DC705")
    assert [line for _, line, *_ in found] == lines, found


def test_go_a_parent_required_before_a_write_is_no_check_then_create(tmp_path) -> None:
    # miniflux 69756868 (apps-c, negative): the feed must exist before an entry is inserted into it
    handler = """package api

func (h *handler) importFeedEntry(userID, feedID int64, entry *Entry) error {
	CHECK
	_, err := h.store.InsertEntryForFeed(userID, feedID, entry)
	return err
}
"""
    check = "exists, err := h.store.FeedExists(userID, feedID)\n\tif err != nil {\n\t\treturn err\n\t}\n\tif !exists {\n\t\treturn ErrNoFeed\n\t}"
    found = flagged_on_branch(tmp_path, {"internal/api/entry_handlers.go": handler.replace("CHECK", "")},
                              {"internal/api/entry_handlers.go": handler.replace("CHECK", check)}, rule="DC705")
    assert found == []
