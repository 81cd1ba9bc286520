"""Readings from session 37's work on apps-ad (tests/corpus/*-labelled-apps-ad.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Kotlin: a flow collected with `launchIn` -------------------------------------------------------

# element-android's decryption-failure tracker (apps-ad bc5c31d8, 79462bcb): a ticker flow collected
# on the tracker's own scope sweeps its pending failures; the period went from 2 to 40 seconds in a
# constant, and nothing was flagged.
TRACKER = """private const val CHECK_INTERVAL = 2_000L

class DecryptionFailureTracker(private val clock: Clock) {
    private val scope: CoroutineScope = CoroutineScope(SupervisorJob())
    private val failures = mutableListOf<Long>()

    fun start() {
        tickerFlow(scope, CHECK_INTERVAL)
                .onEach {
                    checkFailures()
                }.launchIn(SCOPE)
    }

    private fun checkFailures() {
        synchronized(failures) { failures.clear() }
    }
}
"""
PATH = "vector/src/main/java/im/vector/app/features/analytics/DecryptionFailureTracker.kt"


def test_a_constant_a_launched_flow_reads_is_background_code(tmp_path) -> None:
    base = TRACKER.replace("SCOPE", "scope")
    found = flagged_on_branch(tmp_path, {PATH: base}, {PATH: base.replace("2_000L", "40_000L")})
    assert [(line, "launchIn" in m) for _, line, _, _, m in found] == [(1, True)], found


@pytest.mark.parametrize("scope", ["viewModelScope", "lifecycleScope"])
def test_a_flow_launched_on_a_screen_s_scope_is_the_screen_s(tmp_path, scope) -> None:
    base = TRACKER.replace("SCOPE", scope)
    assert flagged_on_branch(tmp_path, {PATH: base}, {PATH: base.replace("2_000L", "40_000L")}) == []


# --- Kotlin: the standard library's `suspend { … }` ------------------------------------------------


def test_a_suspend_lambda_call_parses() -> None:
    # element-android's user directory (apps-ad 07e06957): `suspend { … }.execute { … }` is a call
    # of the function `suspend`; the grammar read the modifier and lost the class (DC703 high).
    from deploycheck.rules.trees.parse import parse_bytes

    source = (b"class Vm {\n    private suspend fun search(q: String) {\n        suspend {\n            lookUp(q)\n"
              b"        }.execute {\n            copy(result = it)\n        }\n    }\n}\n")
    p = parse_bytes("kotlin", source)
    assert p.error_rows == set() and p.text(p.root) == source.decode()
    assert parse_bytes("kotlin", source.replace(b"lookUp(q)", b"lookUp(q")).error_rows  # still an error


# --- Ruby: a concurrency setting added to a settings block ------------------------------------------

# bibdata's MARC indexing job (apps-ad e95eb01b): traject's Solr writer given a pool of three
# threads by a line added to its settings; the default, one, applied before.
TRAJECT = """settings do
  provide 'solr.url', ENV['SOLR_URL']
  provide 'solr_writer.max_skipped', '50'
  provide 'marc_source.type', 'xml'
end
"""


def test_a_thread_pool_setting_added_to_traject_settings_is_flagged(tmp_path) -> None:
    path = "marc_to_solr/lib/traject_config.rb"
    head = TRAJECT.replace("  provide 'marc_source", "  provide 'solr_writer.thread_pool', 3\n  provide 'marc_source")
    found = flagged_on_branch(tmp_path, {path: TRAJECT}, {path: head}, rule="DC718")
    assert [(line, "set where its default applied before" in m) for _, line, _, _, m in found] == [(4, True)]


def test_a_ruby_setting_in_a_new_method_is_new_code_not_a_default_replaced(tmp_path) -> None:
    path = "lib/solr_client.rb"
    base = "class SolrClient\n  def url\n    ENV['SOLR_URL']\n  end\nend\n"
    head = base.replace("  def url", "  def options\n    { retries: 3 }\n  end\n\n  def url")
    assert flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC718") == []


# --- Go: a function handed to a pool of the package's making ------------------------------------------

# pocketbase's JS hooks (apps-n b419498d, a missed positive): pooled goja runtimes shared by hooks,
# routes and middlewares; `executors.run(func(executor *goja.Runtime) error {…})` now restores the
# runtime's `$app` after each run.
BINDS = """package jsvm

func wrapHandlerFunc(executors *vmsPool, pr *goja.Program) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		return executors.run(func(executor *goja.Runtime) error {
			executor.Set("$app", e.App)
			_, err := executor.RunProgram(pr)
			return err
		})
	}
}

func query(db *pgxPool, ctx context.Context, sql string) error {
	return db.Exec(ctx, sql)
}
"""


def test_a_function_run_on_a_pooled_executor_is_background_code(tmp_path) -> None:
    head = BINDS.replace('			_, err := executor.RunProgram(pr)\n',
                         '			old := executor.Get("$app")\n			_, err := executor.RunProgram(pr)\n			executor.Set("$app", old)\n')
    found = flagged_on_branch(tmp_path, {"plugins/jsvm/binds.go": BINDS}, {"plugins/jsvm/binds.go": head})
    assert [line for _, line, _, _, m in found if "vmsPool.run" in m] == [7], found


def test_a_pool_that_is_handed_no_function_runs_nothing(tmp_path) -> None:
    head = BINDS.replace("return db.Exec(ctx, sql)", "return db.Exec(ctx, sql+\" LIMIT 1\")")
    assert flagged_on_branch(tmp_path, {"plugins/jsvm/binds.go": BINDS}, {"plugins/jsvm/binds.go": head}) == []


def test_a_generic_verb_on_a_pool_built_in_the_file_is_read(tmp_path) -> None:
    # `pool := workerpool.NewPool(4)` then `pool.Run(func() {…})`: the pool's type is told by what
    # builds it (the red team of session 37's pools held in a local).
    base = ("package thumbs\n\nvar cache = map[string]int{}\n\nfunc Warm(keys []string) {\n"
            "\tpool := workerpool.NewPool(4)\n\tfor _, k := range keys {\n\t\tpool.Run(func() {\n"
            "\t\t\tcache[k] = 1\n\t\t})\n\t}\n}\n")
    found = flagged_on_branch(tmp_path, {"internal/thumbs/thumbs.go": base},
                              {"internal/thumbs/thumbs.go": base.replace("cache[k] = 1", "cache[k] = 2")})
    assert [(line, "NewPool.Run" in m) for _, line, _, _, m in found] == [(9, True)], found
    other = base.replace("workerpool.NewPool(4)", "exec.Command(\"convert\")")
    assert flagged_on_branch(tmp_path / "o", {"internal/thumbs/thumbs.go": other},
                             {"internal/thumbs/thumbs.go": other.replace("cache[k] = 1", "cache[k] = 2")}) == []
