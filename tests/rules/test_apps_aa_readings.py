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


@pytest.mark.parametrize("scope, background", [
    ("lifecycleScope.launch", False),
    ("viewLifecycleOwner.lifecycleScope.launch", False),
    ("viewModelScope.launch", False),
    ("lifecycleScope.launch(Dispatchers.Main)", False),
    ("MainScope().launch", False),
    # a coroutine started inside a main-thread one, with no dispatcher of its own, stays there
    ("lifecycleScope.launch { launch", False),
    ("viewLifecycleOwner.lifecycleScope.launch { viewLifecycleOwner.repeatOnLifecycle(Lifecycle.State.STARTED)", False),
    # another dispatcher's coroutine is a task for another thread
    ("lifecycleScope.launch(Dispatchers.IO)", True),
    ("viewModelScope.launch(io)", True),
    ("CoroutineScope(Dispatchers.IO).launch", True),
    ("GlobalScope.launch", True),
    ("lifecycleScope.launch(Dispatchers.IO) { launch", True),
])
def test_kotlin_a_main_thread_coroutine_is_not_background_code(tmp_path, scope: str, background: bool) -> None:
    screen = SCREEN.replace("SCOPE {", scope + " {")
    if "{ " in scope:
        screen = screen.replace('showNotice("no accounts")\n', 'showNotice("no accounts")\n        }\n')
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/SettingsScreen.kt": screen,
                                         "app/src/main/java/app/ui/Notice.kt": NOTICE},
                              {"app/src/main/java/app/ui/Notice.kt": LONGER})
    assert [(path, line) for path, line, *_ in found] == ([("app/src/main/java/app/ui/Notice.kt", 4)] if background else [])


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


# --- Ruby: Capistrano roles that whenever installs its cron entries by (DC509) -------------------

# sul_pub (apps-aa d4f18197ae, 095281dbf9): stage files dropped the `harvester_dev` role, which
# config/schedule.rb installs the nightly polls by: the polls stopped running on those hosts.
SCHEDULE = """every 1.day, at: '4:30 am', roles: [:harvester] do
  rake 'cap:poll'
end

every :hour do
  runner 'Cleanup.run'
end
"""
STAGE = "server 'pub-a.example.org', user: 'pub', roles: %w(web db harvester app)\n"


@pytest.mark.parametrize("change, line, side, says", [
    (STAGE.replace(" harvester", ""), 1, "base", "no longer has the `harvester` role"),
    (STAGE + "server 'pub-b.example.org', user: 'pub', roles: %w(web harvester)\n", 2, "head",
     "runs twice, at the same time"),
    (STAGE + "role :harvester, 'pub-c.example.org'\n", 2, "head", "pub-c.example.org now has the `harvester` role"),
    # a task with no roles is installed on `:db` hosts, whenever's default
    (STAGE.replace(" db", ""), 1, "base", "`runner 'Cleanup.run'`"),
])
def test_ruby_a_host_given_or_denied_a_scheduled_role_is_flagged(tmp_path, change: str, line: int, side: str,
                                                                  says: str) -> None:
    found = flagged_on_branch(tmp_path, {"config/schedule.rb": SCHEDULE, "config/deploy/production.rb": STAGE},
                              {"config/deploy/production.rb": change}, rule="DC509")
    assert [(path, at, where) for path, at, where, *_ in found] == [("config/deploy/production.rb", line, side)]
    assert says in found[0][4]


@pytest.mark.parametrize("change", [
    STAGE.replace(" app)", ")"),  # a role no schedule names
    STAGE.replace("user: 'pub'", "user: 'deploy'"),  # same roles
    STAGE.replace("%w(web db harvester app)", "%w(app harvester db web)"),  # reordered
])
def test_ruby_a_stage_change_that_moves_no_scheduled_role_is_quiet(tmp_path, change: str) -> None:
    found = flagged_on_branch(tmp_path, {"config/schedule.rb": SCHEDULE, "config/deploy/production.rb": STAGE},
                              {"config/deploy/production.rb": change}, rule="DC509")
    assert found == []


def test_ruby_whenever_roles_set_in_deploy_rb_replace_the_default(tmp_path) -> None:
    deploy = "set :application, 'pub'\nset :whenever_roles, -> { [:cron] }\n"
    stage = "server 'pub-a.example.org', roles: %w(web db cron)\n"
    main = {"config/schedule.rb": SCHEDULE, "config/deploy.rb": deploy, "config/deploy/production.rb": stage}
    assert flagged_on_branch(tmp_path / "a", main, {"config/deploy/production.rb": stage.replace(" db", "")},
                             rule="DC509") == []
    found = flagged_on_branch(tmp_path / "b", main, {"config/deploy/production.rb": stage.replace(" cron", "")},
                              rule="DC509")
    assert [(path, at) for path, at, *_ in found] == [("config/deploy/production.rb", 1)]


# --- Kotlin: a call passes a number of arguments its function must accept ------------------------

# owncloud (apps-aa 00dea85e90): a worker's `it.toModel()` on a database entity was followed into the
# capability mapper's `toModel(remote)`, which takes one argument, and on into its changed helpers.
WORKER = """package app.work

import androidx.work.CoroutineWorker

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        CALL
        return Result.success()
    }
}
"""
MAPPER = """package app.data

class CapabilityMapper {
    fun toModel(remote: RemoteCapability, strict: Boolean = false): Capability {
        return Capability(remote.version)
    }
}
"""
MAPPER_CHANGED = MAPPER.replace("Capability(remote.version)", "Capability(remote.version.trim())")


@pytest.mark.parametrize("call, reached", [
    ("val model = entities.map { it.toModel() }", False),  # no argument: another toModel
    ("val model = entity.toModel(remote, true, extra)", False),  # three: more than it takes
    ("val model = mapper.toModel(remote)", True),
    ("val model = mapper.toModel(remote, strict = true)", True),  # a default filled in
    ("val model = mapper.toModel(*parts)", True),  # a spread: any number
    ("val model = mapper.toModel(remote, true) { log(it) }", False),  # a trailing lambda is a third argument
])
def test_kotlin_a_call_is_followed_only_to_a_function_that_takes_its_arguments(tmp_path, call: str, reached: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/work/SyncWorker.kt": WORKER.replace("CALL", call),
                                         "app/src/main/java/app/data/CapabilityMapper.kt": MAPPER},
                              {"app/src/main/java/app/data/CapabilityMapper.kt": MAPPER_CHANGED})
    assert [(path, line) for path, line, *_ in found] == ([("app/src/main/java/app/data/CapabilityMapper.kt", 5)]
                                                          if reached else [])


def test_java_calls_a_kotlin_extension_function_with_its_receiver_first(tmp_path) -> None:
    # `fun Entity.toModel()` is `MappersKt.toModel(entity)` to Java: one argument is still a call of it.
    mappers = "package app.data\n\nfun Entity.toModel(): Model {\n    return Model(name)\n}\n"
    job = """package app.work;

import org.quartz.Job;

public class ExportJob implements Job {
    public void execute(JobExecutionContext context) {
        Model model = MappersKt.toModel(entity);
    }
}
"""
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/work/ExportJob.java": job,
                                         "app/src/main/java/app/data/Mappers.kt": mappers},
                              {"app/src/main/java/app/data/Mappers.kt": mappers.replace("Model(name)", "Model(name.trim())")})
    assert [(path, line) for path, line, *_ in found] == [("app/src/main/java/app/data/Mappers.kt", 4)]
