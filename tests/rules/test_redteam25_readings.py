"""Red team of session 25's readings (commits 692dc6c and dd7fe86): release code names, Ruby class
methods and framework classes, a class's `each`, MiqQueue's queued-call hashes, DC253's atomic
claims and duplicate-key errors, JS/TS library objects, `for update` and debounce, Go migrations'
transactions, DC515's `key=`, Python's changed enqueue arguments, and the gate's unticked items.

Each test not marked PASSES NOW fails on the code it was written against (dd7fe86): a silent miss
(a real hazard not flagged) or a false flag (a harmless change flagged). Each says what real code
it models and what the correct result is. Real git repositories, real tree-sitter, the whole scan;
the gate's cases run `deploycheck verify` in its own process with a real ssh-keygen key.

Not given a failing case (none found in the time): reading 5 (code under `src/**/docs/`),
Python's annotated module values (reading 11's first half) and reading 13 (the walkthrough's
evidence: evidence_for and contradictions read the same findings, so they cannot disagree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gate import PR_GOOD_BODY, PR_REQUIRED, github_env, sign_record, verify_pr
from support.gitrepo import git
from support.incident import incident_repo
from support.scanning import APPLIANCE, GIAS_DATA, SERVER, NIGHTSCOUT_BUS, NIGHTSCOUT_STORAGE, flagged_on_branch as _found


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


# =================================================================================================
# 1. A release code name returned by its method (units._is_version_string, _CODE_NAME)
# =================================================================================================

# apps-r's ManageIQ appliance (support/scanning.py), its code name "Jammy".
_APPLIANCE = APPLIANCE.replace('"Tal"', '"Jammy"')
_EVM_SERVER = SERVER


def test_a_release_code_name_of_two_words_is_version_metadata_too(tmp_path) -> None:
    # ManageIQ's shape (`def self.CODENAME; "Tal".freeze; end`), with a code name of two words as
    # Ubuntu's are ("Jammy Jellyfish", "Noble Numbat") and many projects copy. _CODE_NAME_VALUE
    # takes one word only, so the release rename is "changed lines in background code" (warning,
    # line 4), the very false flag the reading removed for "Tal" -> "Uhlmann". Correct: nothing.
    path = "lib/vmdb/appliance.rb"
    head = _APPLIANCE.replace('"Jammy".freeze', '"Noble Numbat".freeze')
    assert _found(tmp_path, {path: _APPLIANCE, "app/jobs/evm_server.rb": _EVM_SERVER}, {path: head}) == []


_PROMOTIONS = """class Promotions
  def self.welcome_discount_code_name
    "WELCOME10"
  end

  def self.apply_welcome(order)
    Coupon.find_by!(code: welcome_discount_code_name).apply!(order)
  end
end
"""
_APPLY_COUPON = """class ApplyWelcomeCouponJob < ApplicationJob
  def perform(order_id)
    Promotions.apply_welcome(Order.find(order_id))
  end
end
"""


def test_a_discount_code_s_name_is_no_release_code_name(tmp_path) -> None:
    # A shop's welcome discount (a Solidus/Spree-style app): the job applies the coupon whose code
    # the method returns. `_CODE_NAME` is `code_?name` anywhere in the name, so
    # `welcome_discount_code_name` reads as a release's code name and "WELCOME10" -> "SPRING25"
    # as version metadata: every queued job now applies another coupon, unflagged (the same
    # method named `welcome_coupon` is flagged at 3). Was a silent miss. Correct: flagged at 3.
    path = "app/models/promotions.rb"
    files = {path: _PROMOTIONS, "app/jobs/apply_welcome_coupon_job.rb": _APPLY_COUPON}
    found = _found(tmp_path, files, {path: _PROMOTIONS.replace('"WELCOME10"', '"SPRING25"')})
    assert _lines(found) == [(path, 3)]


# =================================================================================================
# 2. A Ruby class method is not reached through a framework class (reach._framework_class)
# =================================================================================================

_HTTP_CLIENT = """module HttpClient
  def self.connection(retry_options: {})
    Faraday.new { |conn| conn.request :retry, retry_options }
  end
end
"""
_CACHE = """module Cache
  def self.redis
    @redis ||= Redis.new(url: ENV.fetch("CACHE_REDIS_URL"))
  end
end
"""
_IMPORT_POLYGONS = """class ImportPolygonsJob < ApplicationJob
  def perform
    ApplicationRecord.connection.exec_update("UPDATE locations SET area = 1")
  end
end
"""
_EXPIRE_SESSIONS = """class ExpireSessionsJob
  include Sidekiq::Job

  def perform
    Sidekiq.redis { |conn| conn.del("sessions:stale") }
  end
end
"""


@pytest.mark.parametrize("job_path, job, changed, base_text, head_text", [
    # teaching-vacancies faff86a7's job written the Rails 5+ way: `ApplicationRecord.connection`
    # (every app's abstract model, a subclass of ActiveRecord::Base) is Rails's connection; the
    # reading knows only `ActiveRecord::Base`, so the new HttpClient module is "new background
    # code" (warning at 2).
    ("app/jobs/import_polygons_job.rb", _IMPORT_POLYGONS, "app/lib/http_client.rb", None, _HTTP_CLIENT),
    # A Sidekiq job's `Sidekiq.redis { |conn| … }` is Sidekiq's pool, never the app's own
    # `Cache.redis`; Sidekiq is no root of _RUBY_FRAMEWORK_ROOTS, so a change of the cache's
    # client options is "changed lines in background code" (warning at 3).
    ("app/jobs/expire_sessions_job.rb", _EXPIRE_SESSIONS, "app/lib/cache.rb", _CACHE,
     _CACHE.replace('ENV.fetch("CACHE_REDIS_URL"))', 'ENV.fetch("CACHE_REDIS_URL"), timeout: 1)')),
], ids=["ApplicationRecord.connection", "Sidekiq.redis"])
def test_a_class_method_is_not_reached_through_a_framework_s_class_of_another_name(
        tmp_path, job_path: str, job: str, changed: str, base_text: str | None, head_text: str) -> None:
    # Was a false flag each. Correct: nothing (the job never calls the repository's method).
    main = {job_path: job, "README.md": "x\n"}
    if base_text is not None:
        main[changed] = base_text
    assert _found(tmp_path, main, {changed: head_text}) == []


_STATEMENT_TIMEOUT = """module ActiveRecord
  class Base
    def self.with_statement_timeout(ms)
      connection.execute("SET LOCAL statement_timeout = #{ms.to_i}")
      yield
    end
  end
end
"""
_REBUILD_REPORTS = """class RebuildReportsJob < ApplicationJob
  def perform
    ActiveRecord::Base.transaction do
      ActiveRecord::Base.with_statement_timeout(5_000) { Report.rebuild_all }
    end
  end
end
"""


def test_passes_now_a_rails_class_reopened_in_an_initializer_is_followed(tmp_path) -> None:
    # PASSES NOW (pins the monkeypatch exception). A Rails app's initializer reopens
    # `ActiveRecord::Base` to add `with_statement_timeout`; a job calls it on ActiveRecord::Base.
    # `SET LOCAL` becoming `SET` leaks the timeout to every later query on the pooled connection:
    # flagged at 4 (the definition, inside a framework namespace, is followed without restriction).
    path = "config/initializers/statement_timeout.rb"
    files = {path: _STATEMENT_TIMEOUT, "app/jobs/rebuild_reports_job.rb": _REBUILD_REPORTS}
    found = _found(tmp_path, files, {path: _STATEMENT_TIMEOUT.replace("SET LOCAL statement_timeout", "SET statement_timeout")})
    assert _lines(found) == [(path, 4)]


# =================================================================================================
# 3. A Ruby class's `each` followed through the class's name (reach._each_of_a_class)
# =================================================================================================

_ACTIVE_FEEDS = """class ActiveFeeds
  extend Enumerable

  def self.each(&block)
    Feed.where(active: true).find_each(&block)
  end
end
"""
_REFRESH_FEEDS = """class RefreshFeedsJob < ApplicationJob
  def perform
    ActiveFeeds.each(&:refresh!)
  end
end
"""


def test_a_class_level_each_of_an_enumerable_class_is_followed_too(tmp_path) -> None:
    # The class-level form of the same idiom: `extend Enumerable` and `def self.each` (a
    # collection of records a feed reader's job walks: `ActiveFeeds.each(&:refresh!)`). The
    # branch drops the `active: true` filter, so the job now refreshes every feed, disabled ones
    # too. _each_of_a_class reads only an instance method (`method`, not `singleton_method`), and
    # `each` alone is too common to follow. Was a silent miss. Correct: flagged at 5.
    path = "app/models/active_feeds.rb"
    files = {path: _ACTIVE_FEEDS, "app/jobs/refresh_feeds_job.rb": _REFRESH_FEEDS}
    found = _found(tmp_path, files, {path: _ACTIVE_FEEDS.replace("Feed.where(active: true)", "Feed.all")})
    assert _lines(found) == [(path, 5)]


_GIAS_DATA = GIAS_DATA
_SCHOOLS_CONTROLLER = """class Admin::SchoolsController < ApplicationController
  def preview
    @rows = Gias::Data.new(params[:url]).first(20)
  end
end
"""
_SYNC_SCHOOLS = """class SyncSchoolsJob < ApplicationJob
  Row = Data.define(:urn, :name)

  def perform(rows)
    rows.map { |r| Row.new(urn: r["urn"], name: r["name"]) }.each { |row| School.upsert(row.to_h) }
  end
end
"""


def test_a_class_s_each_is_not_reached_through_ruby_s_data_class(tmp_path) -> None:
    # teaching-vacancies's `Gias::Data`, here used only by an admin preview (a request); a job
    # defines a value object with Ruby 3.2's `Data.define`. The class's `each` is followed as the
    # last segment of its name, `Data`, and `Row = Data.define(…)` in the job "calls it":
    # "changed lines in background code" (warning at 9). Was a false flag. Correct: nothing.
    path = "app/services/gias/data.rb"
    files = {path: _GIAS_DATA, "app/controllers/admin/schools_controller.rb": _SCHOOLS_CONTROLLER,
             "app/jobs/sync_schools_job.rb": _SYNC_SCHOOLS}
    assert _found(tmp_path, files, {path: _GIAS_DATA.replace("HTTParty.get(@url)", "HTTParty.get(@url, timeout: 5)")}) == []


# =================================================================================================
# 4. A hash describing a queued call is an enqueue for DC715 (producer._queued_call)
# =================================================================================================

_HOST = """class Host < ApplicationRecord
  def refresh_ems
    _log.info("Queueing refresh of #{name}")
  end
end
"""
_QUEUE_PUT = """    MiqQueue.put(
      :class_name  => self.class.name,
      :instance_id => id,
      :method_name => "refresh_ems_now",
      :args        => [userid],
      :role        => "ems_inventory",
      :zone        => my_zone
    )
"""


def test_dc715_miq_queue_put_with_its_options_as_arguments_is_an_enqueue(tmp_path) -> None:
    # ManageIQ's usual form, `MiqQueue.put(:class_name => …, :method_name => …, :args => […])`,
    # the one the commit names: its options are the call's arguments, not a `{…}` literal, and
    # tree-sitter makes them `pair`s of an `argument_list`; _queued_call reads only a `hash`
    # node. A host's refresh that starts queueing work is not seen (the same put written with
    # braces is flagged at 4). Was a silent miss. Correct: DC715 at the put's options, line 4.
    path = "app/models/host.rb"
    head = _HOST.replace('    _log.info("Queueing refresh of #{name}")\n', '    _log.info("Queueing refresh of #{name}")\n' + _QUEUE_PUT)
    assert _lines(_found(tmp_path, {path: _HOST}, {path: head}, rule="DC715")) == [(path, 4)]


_VM = """class Vm < ApplicationRecord
  def scan(userid = "system", options = {})
    MiqQueue.put(
      :class_name  => self.class.name,
      :instance_id => id,
      :method_name => "scan_via_ems",
      :args        => [userid, options],
      :zone        => my_zone
    )
  end
end
"""


def test_dc715_options_changed_before_a_miq_queue_put_that_hands_them_on(tmp_path) -> None:
    # apps-r's case (ManageIQ b00983ac: the options put on the queue changed first) in the same
    # unbraced form: `options = options.merge(:force => true)` before a put whose `:args` hand
    # `options` to the queued scan. Was a silent miss (with braces: flagged at 3). Correct: DC715
    # at the changed line, 3.
    path = "app/models/vm.rb"
    head = _VM.replace("    MiqQueue.put(\n", "    options = options.merge(:force => true)\n\n    MiqQueue.put(\n")
    assert _lines(_found(tmp_path, {path: _VM}, {path: head}, rule="DC715")) == [(path, 3)]


def test_dc715_a_queued_call_without_arguments_is_an_enqueue_too(tmp_path) -> None:
    # ManageIQ queues most of its work without `:args` (`MiqQueue.put(:class_name => …,
    # :instance_id => id, :method_name => "scan", :zone => …)`: the queued method reads the
    # record). Written as the hash the reading handles, `queue_opts = {…}` handed to the queue,
    # it is no enqueue without `:args` (_QUEUED_CALL requires both keys). Was a silent miss.
    # Correct: DC715 at the new hash, line 4.
    path = "app/models/host.rb"
    put = ("    queue_opts = {\n      :class_name  => self.class.name,\n      :instance_id => id,\n"
           "      :method_name => \"refresh_ems_now\",\n      :role        => \"ems_inventory\"\n    }\n"
           "    MiqQueue.put_unless_exists(queue_opts)\n")
    head = _HOST.replace('    _log.info("Queueing refresh of #{name}")\n', '    _log.info("Queueing refresh of #{name}")\n' + put)
    assert _lines(_found(tmp_path, {path: _HOST}, {path: head}, rule="DC715")) == [(path, 4)]


# =================================================================================================
# 6. DC253 (Java/Kotlin): atomic claims and caught duplicate-key errors (jvm.yaml)
# =================================================================================================

_ADVICE = """package com.example.shop.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

@RestControllerAdvice
public class ApiErrors {

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<ApiError> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(new ApiError(e.getMessage()));
    }
}
"""
_ADVICE_HEAD = _ADVICE.replace(
    "import org.springframework.http.HttpStatus;\n",
    "import org.springframework.dao.DuplicateKeyException;\nimport org.springframework.http.HttpStatus;\n",
).replace("""        return ResponseEntity.badRequest().body(new ApiError(e.getMessage()));
    }
""", """        return ResponseEntity.badRequest().body(new ApiError(e.getMessage()));
    }

    @ExceptionHandler(DuplicateKeyException.class)
    public ResponseEntity<ApiError> conflict(DuplicateKeyException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(new ApiError("already exists"));
    }
""")
_KOTLIN_ADVICE = """package com.example.shop.web

import org.springframework.http.HttpStatus
import org.springframework.http.ResponseEntity
import org.springframework.web.bind.annotation.ExceptionHandler
import org.springframework.web.bind.annotation.RestControllerAdvice

@RestControllerAdvice
class ApiErrors {

    @ExceptionHandler(IllegalArgumentException::class)
    fun badRequest(e: IllegalArgumentException): ResponseEntity<ApiError> =
        ResponseEntity.badRequest().body(ApiError(e.message))
}
"""
_KOTLIN_ADVICE_HEAD = _KOTLIN_ADVICE.replace(
    "import org.springframework.http.HttpStatus\n",
    "import org.springframework.dao.DuplicateKeyException\nimport org.springframework.http.HttpStatus\n",
).replace("""        ResponseEntity.badRequest().body(ApiError(e.message))
""", """        ResponseEntity.badRequest().body(ApiError(e.message))

    @ExceptionHandler(DuplicateKeyException::class)
    fun conflict(e: DuplicateKeyException): ResponseEntity<ApiError> =
        ResponseEntity.status(HttpStatus.CONFLICT).body(ApiError("already exists"))
""")


@pytest.mark.parametrize("path, base, head", [
    # Spring's REST error mapping: `@ExceptionHandler(DuplicateKeyException.class)` is left out
    # (the pattern's `X.class` exclusion), but the handler's parameter `DuplicateKeyException e`
    # on the next line is read as "a duplicate-key error handled" (warning at 18).
    ("src/main/java/com/example/shop/web/ApiErrors.java", _ADVICE, _ADVICE_HEAD),
    # The same in Kotlin: `DuplicateKeyException::class` is not excluded (only `.` and `;` after
    # the name are), nor the parameter `e: DuplicateKeyException` (warnings at 16 and 17).
    ("src/main/kotlin/com/example/shop/web/ApiErrors.kt", _KOTLIN_ADVICE, _KOTLIN_ADVICE_HEAD),
], ids=["java", "kotlin"])
def test_dc253_a_rest_error_mapping_of_a_duplicate_key_is_no_claim(tmp_path, path: str, base: str, head: str) -> None:
    # A Spring Boot app's @RestControllerAdvice answering 409 Conflict for a duplicate insert:
    # it translates an error for the client, decides nothing about which thread's insert wins
    # (the pattern's own comment means to leave "a REST error mapping" out). Was a false flag.
    # Correct: nothing.
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC253") == []


_CREDENTIALS = """package com.example.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

public class CredentialStore {
    private final DataSource dataSource;

    public CredentialStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void save(String user, String hash) throws SQLException {
        try (Connection con = dataSource.getConnection()) {
            try (PreparedStatement insert = con.prepareStatement("INSERT INTO credentials (username, hash) VALUES (?, ?)")) {
                insert.setString(1, user);
                insert.setString(2, hash);
                insert.executeUpdate();
            }
        }
    }
}
"""
_CREDENTIALS_HEAD = _CREDENTIALS.replace("""                insert.executeUpdate();
            }
""", """                insert.executeUpdate();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                try (PreparedStatement update = con.prepareStatement("UPDATE credentials SET hash = ? WHERE username = ?")) {
                    update.setString(1, hash);
                    update.setString(2, user);
                    update.executeUpdate();
                }
            }
""")


def test_dc253_a_duplicate_key_caught_by_its_sql_state_is_a_claim(tmp_path) -> None:
    # Openfire's credential upsert (the reading's own case) written against PostgreSQL, as JDBC
    # code usually is: the driver throws a plain SQLException (PSQLException), told apart by its
    # SQL state, "23505" (unique_violation). Insert-then-update on a lost race is exactly what
    # the reading means to flag; caught as `SQLIntegrityConstraintViolationException` it is
    # flagged at 21. Was a silent miss. Correct: DC253 at the state's check, line 22.
    path = "src/main/java/com/example/auth/CredentialStore.java"
    assert _lines(_found(tmp_path, {path: _CREDENTIALS}, {path: _CREDENTIALS_HEAD}, rule="DC253")) == [(path, 22)]


# =================================================================================================
# 7. JS/TS: a lodash object's members are lodash's (reach._JS_LIBRARY_OBJECT)
# =================================================================================================

_STORAGE = NIGHTSCOUT_STORAGE
_BUS = NIGHTSCOUT_BUS
_WATCH_ES = """import _ from 'lodash-es';

export function watch(entries: number[]) {
  function tick() {
    const newest = _.last(entries);
    console.log(newest);
    setTimeout(tick, 60000);
  }
  tick();
}
"""
_WATCH_NAMED = """import { last } from 'lodash';

export function watch(entries) {
  function tick() {
    const newest = last(entries);
    console.log(newest);
    setTimeout(tick, 60000);
  }
  tick();
}
"""


@pytest.mark.parametrize("path, caller", [
    # lodash's ES-module build, what a TypeScript/ESM server imports: `_JS_LIBRARY_OBJECT` names
    # `lodash` exactly, so `_.last(entries)` in the timer reaches the storage's `last`.
    ("lib/watch.ts", _WATCH_ES),
    # lodash's `last` imported by name: a bare `last(entries)` bound by the import to lodash.
    ("lib/watch.mjs", _WATCH_NAMED),
], ids=["lodash-es", "named-import"])
def test_js_lodash_imported_as_a_module_does_not_reach_the_application_s_function(tmp_path, path: str, caller: str) -> None:
    # nightscout 69b620dd2's case (the server's own timer taking the newest entry with lodash)
    # as modern code imports lodash. Was a false flag: "changed lines in background code" at the
    # storage's line 7. Correct: nothing (the timer never calls the storage's `last`).
    files = {"lib/server/profile.js": _STORAGE, path: caller, "lib/bus.js": _BUS}
    assert _found(tmp_path, files, {"lib/server/profile.js": _STORAGE.replace("startDate: -1", "_id: -1")}) == []


# =================================================================================================
# 8. JS/TS `for update` (DC250, DC356) and a debounce/throttle removed from server code (DC356)
# =================================================================================================

_CLAIM_JOB = """const { pool } = require('../db');

async function claimNextJob() {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      "select id, payload from jobs where status = 'queued' order by id limit 1 for update skip locked"
    );
    await client.query("update jobs set status = 'running' where id = $1", [rows[0].id]);
    await client.query('COMMIT');
    return rows[0];
  } finally {
    client.release();
  }
}
module.exports = { claimNextJob };
"""
_CLAIM_JOB_UNLOCKED = _CLAIM_JOB.replace(" for update skip locked", "")


@pytest.mark.parametrize("base, head, rule", [
    (_CLAIM_JOB, _CLAIM_JOB_UNLOCKED, "DC356"),  # the lock removed: two workers claim the same job
    (_CLAIM_JOB_UNLOCKED, _CLAIM_JOB, "DC250"),  # the lock added
], ids=["removed", "added"])
def test_js_lower_case_for_update_after_a_quoted_value_is_a_lock(tmp_path, base: str, head: str, rule: str) -> None:
    # A hand-rolled Postgres job queue (node-postgres) claiming its next job in lower-case SQL on
    # one line: `… where status = 'queued' order by id limit 1 for update skip locked`. The
    # lower-case branch of the pattern allows no quote between `where` and `for update`
    # (`[^'"`]*?`), and a SQL string literal is one. Without the `'queued'` (a `$1`) both are
    # flagged at 8. Was a silent miss (the removal is a high finding). Correct: flagged at 8.
    path = "lib/queue.js"
    assert _lines(_found(tmp_path, {path: base}, {path: head}, rule=rule)) == [(path, 8)]


_CLAIM_RAW = """const db = require('../db');

async function claimNextJob(trx) {
  const { rows } = await trx.raw(`
    select id, payload
    from jobs
    where status = $1
    order by id
    limit 1
    for update skip locked
  `, ['queued']);
  return rows[0];
}
module.exports = { claimNextJob };
"""


def test_js_lower_case_for_update_on_its_own_line_of_a_query_is_a_lock(tmp_path) -> None:
    # The same claim as a knex raw query over several lines, one clause a line (how multi-line
    # SQL is written): `for update skip locked` stands alone on its line, with no select, where,
    # from or join before it there. Its removal is not read (in upper case it is flagged, high,
    # at 10). Was a silent miss. Correct: DC356 at 10.
    path = "lib/queue.js"
    head = _CLAIM_RAW.replace("    for update skip locked\n", "")
    assert _lines(_found(tmp_path, {path: _CLAIM_RAW}, {path: head}, rule="DC356")) == [(path, 10)]


_SEARCH_BOX = """'use client';

import { useRouter } from 'next/navigation';
import debounce from 'lodash/debounce';

export default function SearchBox() {
  const router = useRouter();
  const onChange = debounce((event) => router.push(`/search?q=${event.target.value}`), 300);
  return <input type="search" onChange={onChange} />;
}
"""


def test_js_a_debounce_removed_from_a_next_client_component_is_no_server_change(tmp_path) -> None:
    # A Next.js App Router client component (`'use client'`, JSX, `next/navigation`): since
    # React 17 a component imports nothing from 'react' to use JSX, and this one calls no
    # `document.`/`window.`, so the exclusion misses it. Dropping the keystroke debounce is read
    # as server work now run "on every event or tick" (a high finding at 8). Was a false flag.
    # Correct: nothing (a page's debounce spaces out keystrokes).
    path = "src/components/SearchBox.tsx"
    head = (_SEARCH_BOX.replace("debounce((event) => router.push(`/search?q=${event.target.value}`), 300)",
                                "(event) => router.push(`/search?q=${event.target.value}`)")
            .replace("import debounce from 'lodash/debounce';\n", ""))
    assert _found(tmp_path, {path: _SEARCH_BOX}, {path: head}, rule="DC356") == []


_REQUEST_STATS = """const throttle = require('lodash/throttle');
const { saveStats } = require('./store');

class RequestStats {
  constructor() {
    this.window = [];
    this.flush = throttle(() => this.save(), 10000);
  }

  record(ms) {
    this.window.push(ms);
    this.flush();
  }

  save() {
    const batch = this.window.splice(0);
    return saveStats(batch);
  }
}
module.exports = RequestStats;
"""


def test_js_a_throttle_removed_from_a_server_class_with_a_window_field_is_flagged(tmp_path) -> None:
    # An Express server's request-latency recorder: samples gather in a sliding window
    # (`this.window`) and a throttle writes them out at most every 10 s. The branch flushes on
    # every request: a write per request, concurrent saves of overlapping batches. The page test
    # `\bwindow\.` matches the field `this.window.push(…)`, so the file reads as a page's (named
    # `this.samples`, the same removal is flagged high at 7). Was a silent miss. Correct: DC356 at 7.
    path = "server/stats.js"
    head = (_REQUEST_STATS.replace("throttle(() => this.save(), 10000)", "() => this.save()")
            .replace("const throttle = require('lodash/throttle');\n", ""))
    assert _lines(_found(tmp_path, {path: _REQUEST_STATS}, {path: head}, rule="DC356")) == [(path, 7)]


# =================================================================================================
# 9. Go DC252: no transaction flagged in a file importing a migration library (go.yaml)
# =================================================================================================

_GO_DB = """package db

import (
	"context"
	"database/sql"
	"embed"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

type DB struct {
	*sqlx.DB
}

func Open(dsn string) (*DB, error) {
	conn, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	goose.SetBaseFS(migrations)
	if err := goose.Up(conn.DB, "migrations"); err != nil {
		return nil, err
	}
	return &DB{conn}, nil
}

func (d *DB) WithTx(ctx context.Context, fn func(*sqlx.Tx) error) error {
	tx, err := d.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
"""


def test_go_a_store_that_runs_its_migrations_at_startup_still_has_its_transactions_read(tmp_path) -> None:
    # The common Go service layout: `internal/db/db.go` opens the pool, runs goose's embedded
    # migrations at startup, and holds the transaction helper every handler and worker uses. The
    # file imports goose, so the branch dropping the helper's serializable isolation (lost updates
    # under concurrent workers) is not flagged; without the goose import it is, at 32. Was a
    # silent miss. Correct: DC252 at 32 (only a migration's own file runs once, at deploy).
    path = "internal/db/db.go"
    head = _GO_DB.replace("d.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})", "d.BeginTxx(ctx, nil)")
    assert _lines(_found(tmp_path, {path: _GO_DB}, {path: head}, rule="DC252")) == [(path, 32)]


# =================================================================================================
# 10. DC515: `countdown|expires|priority` only as `key=` (worker-config.yaml)
# =================================================================================================

_REMINDERS = """from celery import shared_task

from .models import User


@shared_task
def send_reminder(user_id):
    User.objects.get(pk=user_id).send_reminder_email()


def schedule_reminder(user):
    countdown = 60 * 60 * 24
    send_reminder.apply_async(args=(user.id,), countdown=countdown)
"""


def test_dc515_a_countdown_set_in_a_local_the_send_hands_on_is_a_task_option(tmp_path) -> None:
    # A Django app's reminder, its delay named first and handed to the send
    # (`countdown = 60 * 60 * 24`, then `countdown=countdown`): the branch makes it five minutes.
    # The send's keyword line is unchanged and the local no longer counts, so the changed delay
    # is not read (written inline, `countdown=60 * 5` is flagged at 12). Was a silent miss.
    # Correct: DC515 at the local's line, 12.
    path = "accounts/reminders.py"
    head = _REMINDERS.replace("countdown = 60 * 60 * 24", "countdown = 60 * 5")
    assert _lines(_found(tmp_path, {path: _REMINDERS}, {path: head}, rule="DC515")) == [(path, 12)]


_TICKETS = """from celery import shared_task

from .models import Ticket


@shared_task
def notify_agents(ticket_id):
    Ticket.objects.get(pk=ticket_id).notify()


def open_ticket(form):
    ticket = Ticket.objects.create(subject=form.subject, priority=form.priority)
    notify_agents.apply_async(args=(ticket.id,), queue="notifications")
    return ticket
"""


@pytest.mark.xfail(strict=True, reason="known limitation (DC515's known problems): the pattern reads `priority=` "
                   "in any call of a file that sends tasks; which call a keyword belongs to is not read")
def test_dc515_a_model_s_priority_keyword_is_no_task_option(tmp_path) -> None:
    # A help desk's ticket: `Ticket.objects.create(…, priority=…)` is the model's field, in a
    # file that sends a task. The reading takes every `priority=` as "a send's keyword", so a
    # changed field value is "Task option priority changed" (warning at 12; so before session 25
    # too: the reading kept this side of `key=`). Was a false flag.
    # Correct: nothing (the send's options, line 13, are unchanged).
    path = "support/tickets.py"
    head = _TICKETS.replace("priority=form.priority", "priority=form.cleaned_priority()")
    assert _found(tmp_path, {path: _TICKETS}, {path: head}, rule="DC515") == []


# =================================================================================================
# 11. Python: an enqueue's arguments changed on a kept call line (jobs._arguments_changed)
# =================================================================================================

_BROADCAST_TASKS = """from celery import shared_task


@shared_task
def broadcast_task(sender_id, activity, recipients):
    pass
"""
_MIXIN = """from app.tasks import broadcast_task


class ActivitypubMixin:
    def broadcast(self, activity, sender, software=None):
        broadcast_task.apply_async(
            args=(sender.id, activity, self.get_recipients(software=software)),
            queue="broadcast",
        )
"""


def test_python_an_enqueue_whose_keywords_are_only_reordered_is_no_change(tmp_path) -> None:
    # bookwyrm's broadcast (the reading's case) with `queue=` moved above `args=` (a tidy-up, or
    # a formatter's sorted keywords): the task gets the same arguments on the same queue. The
    # call is compared by ast.dump, which keeps keyword order, so it is "handed other arguments"
    # (warning at 8). Was a false flag. Correct: nothing.
    path = "app/models/mixin.py"
    head = _MIXIN.replace("""            args=(sender.id, activity, self.get_recipients(software=software)),
            queue="broadcast",
""", """            queue="broadcast",
            args=(sender.id, activity, self.get_recipients(software=software)),
""")
    found = _found(tmp_path, {path: _MIXIN, "app/tasks.py": _BROADCAST_TASKS}, {path: head}, rule="DC103")
    assert found == []


# =================================================================================================
# 12. Gate: an unticked task-list item is no claim (prfield._UNTICKED)
# =================================================================================================



@pytest.fixture
def strict(tmp_path, key) -> Path:
    """pr_field: required; the branch (the incident's refactor, flagged) claims nothing in its commit."""
    repo = incident_repo(tmp_path, key, extra_main=PR_REQUIRED)
    git(repo, "commit", "--amend", "-q", "-m", "Reserve stock by reading the product first")
    return repo


def _verify(repo: Path, tmp_path: Path, body: str) -> tuple[int, dict]:
    return verify_pr(repo, github_env(tmp_path, "Speed up reservations", body))


@pytest.mark.xfail(strict=True, reason="known limitation (docs/limitations.md): an unticked task-list item is "
                   "dropped whole, with words the author wrote into it; a template's own choices often say "
                   "'no functional changes', and an organisation's template is not in the repository to compare")
def test_gate_a_claim_written_into_an_unticked_item_is_still_a_claim(strict, key, tmp_path) -> None:
    # A contributor's checklist (the template's `- [ ] Added tests`) left unticked with the
    # reason written into it: "not needed: no behavioral changes". The whole line is dropped as
    # a template choice not made, so the author's own "no behavioral changes" on a change the
    # scan flags passes (the same words on a line of their own fail pr-claim). Was a claim
    # sneaked past. Correct: pr-claim fails, quoting 'no behavioral changes'.
    sign_record(strict, key, tmp_path)
    body = "## Checklist\n\n- [x] I ran the test suite\n- [ ] Added tests (not needed: no behavioral changes)\n\n" + PR_GOOD_BODY
    code, doc = _verify(strict, tmp_path, body)
    assert code == 1 and sorted({p["code"] for p in doc["problems"]}) == ["pr-claim"]
    assert "'no behavioral changes'" in doc["problems"][0]["message"]


def test_gate_a_wrapped_unticked_template_choice_is_no_claim(strict, key, tmp_path) -> None:
    # A pull-request template hard-wrapped at 80 columns (editors and Prettier's proseWrap do
    # it): the unticked choice's description runs onto an indented second line. Only the item's
    # first line is dropped; its continuation "no functional changes)" reads as the author's
    # claim, and the change fails pr-claim on the template's own words. Was a false failure.
    # Correct: verify passes (the author ticked "Bug fix" only).
    sign_record(strict, key, tmp_path)
    template = ("## Type of change\n\n- [x] Bug fix\n"
                "- [ ] Refactor (a code change that neither fixes a bug nor adds a feature;\n"
                "      no functional changes)\n\n")
    code, doc = _verify(strict, tmp_path, template + PR_GOOD_BODY)
    assert code == 0, doc["problems"]
