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


# --- DC716: pg_cron SQL in `.sql` migrations, and a function scheduled in another file ------------

_SCHEDULE_SQL = ("create extension if not exists pg_cron;\n\n"
                 "create or replace function process_jobs() returns void as $$\nbegin\n"
                 "  perform net.http_post('https://app/jobs', '{}'::jsonb, timeout_milliseconds := 5000);\n"
                 "end;\n$$ language plpgsql;\n\n"
                 "select cron.schedule('process-jobs', '*/5 * * * *', 'select process_jobs()');\n")
_REPLACED = ("-- a later migration\ncreate or replace function process_jobs() returns void as $$\nbegin\n"
             "  perform net.http_post('https://app/jobs', '{}'::jsonb, timeout_milliseconds := 1000);\n"
             "end;\n$$ language plpgsql;\n")
_OTHER_FUNCTION = ("create or replace function touch_updated_at() returns trigger as $$\nbegin\n"
                   "  new.updated_at := now();\n  return new;\nend;\n$$ language plpgsql;\n")
_MIGRATION = "supabase/migrations/20260101000000_jobs.sql"


def test_dc716_a_schedule_changed_in_a_sql_migration(tmp_path) -> None:
    found = _found(tmp_path, {_MIGRATION: _SCHEDULE_SQL}, {_MIGRATION: _SCHEDULE_SQL.replace("*/5 * * * *", "* * * * *")},
                   rule="DC716")
    assert [(p, line) for p, line, *_ in found] == [(_MIGRATION, 9)]
    assert "cron.schedule" in found[0][4]


def test_dc716_a_sql_function_scheduled_by_an_earlier_migration(tmp_path) -> None:
    later = "supabase/migrations/20260201000000_faster_jobs.sql"
    found = _found(tmp_path, {_MIGRATION: _SCHEDULE_SQL}, {later: _REPLACED}, rule="DC716")
    assert [(p, line) for p, line, *_ in found] == [(later, 2)]  # the statement's first changed line
    assert f"{_MIGRATION}:9" in found[0][4] and "process_jobs" in found[0][4]


def test_dc716_a_code_string_replacing_a_function_a_migration_schedules(tmp_path) -> None:
    path = "src/db/jobs.ts"
    code = ('import { sql } from "drizzle-orm";\n\nexport const replaceJobs = sql.raw(`\n'
            + _REPLACED.replace("-- a later migration\n", "") + "`);\n")
    found = _found(tmp_path, {_MIGRATION: _SCHEDULE_SQL, path: code.replace("1000", "3000")}, {path: code}, rule="DC716")
    assert [(p, line) for p, line, *_ in found] == [(path, 6)]


def test_dc716_a_sql_function_nothing_schedules_is_not_job_sql(tmp_path) -> None:
    later = "supabase/migrations/20260201000000_touch.sql"
    assert _found(tmp_path, {_MIGRATION: _SCHEDULE_SQL}, {later: _OTHER_FUNCTION}, rule="DC716") == []


# --- From the new-user trial (dawarich): two classes of one name in two modules -------------------

_VISITS_DEBOUNCER = ("module Visits\n  class RealtimeDebouncer\n    def initialize(user_id)\n      @user_id = user_id\n"
                     "    end\n\n    def trigger\n      VisitSuggestingJob.perform_later(user_id: @user_id)\n    end\n  end\nend\n")
_TRACKS_DEBOUNCER = ("module Tracks\n  class RealtimeDebouncer\n    def initialize(user_id)\n      @user_id = user_id\n"
                     "    end\n\n    def trigger\n      Tracks::RealtimeGenerationJob.perform_later(@user_id)\n    end\n\n"
                     "    def clear\n      @user_id = nil\n    end\n  end\nend\n")
_TRACKS_JOB = ("module Tracks\n  class RealtimeGenerationJob < ApplicationJob\n    def perform(user_id)\n"
               "      Tracks::RealtimeDebouncer.new(user_id).clear\n    end\n  end\nend\n")
_POINTS = ("module Points\n  class Create\n    def call(user_id)\n      Visits::RealtimeDebouncer.new(user_id).trigger\n"
           "    end\n  end\nend\n")
_DAWARICH = {"app/services/tracks/realtime_debouncer.rb": _TRACKS_DEBOUNCER,
             "app/jobs/tracks/realtime_generation_job.rb": _TRACKS_JOB,
             "app/jobs/visit_suggesting_job.rb": "class VisitSuggestingJob < ApplicationJob\n  def perform(user_id:)\n  end\nend\n",
             "app/jobs/application_job.rb": "class ApplicationJob < ActiveJob::Base\nend\n"}


def test_rb_another_modules_class_of_the_same_name_is_no_trail(tmp_path) -> None:
    # dawarich's `Tracks::RealtimeGenerationJob` calls `Tracks::RealtimeDebouncer.new(…)`; the change is
    # to `Visits::RealtimeDebouncer#initialize`, which no job builds: the trail cited was false.
    path = "app/services/visits/realtime_debouncer.rb"
    found = _found(tmp_path, {**_DAWARICH, path: _VISITS_DEBOUNCER},
                   {path: _VISITS_DEBOUNCER.replace("@user_id = user_id", "@user_id = Integer(user_id)")})
    assert not [f for f in found if "realtime_generation_job" in f[4]]


def test_rb_a_producer_of_a_shared_name_is_the_receivers_classes(tmp_path) -> None:
    # dawarich's point creators call `Visits::RealtimeDebouncer.new(user_id).trigger`: DC715 cited
    # `Tracks::RealtimeDebouncer#trigger` (the first file holding a `trigger` that enqueues) and its job.
    path = "app/services/points/create.rb"
    main = {**_DAWARICH, "app/services/visits/realtime_debouncer.rb": _VISITS_DEBOUNCER,
            path: _POINTS.replace("      Visits::RealtimeDebouncer.new(user_id).trigger\n", "      user_id\n")}
    found = _found(tmp_path, main, {path: _POINTS}, rule="DC715")
    assert [(p, line) for p, line, *_ in found] == [(path, 4)]
    assert "app/services/visits/realtime_debouncer.rb:8" in found[0][4] and "VisitSuggestingJob" in found[0][4]
    assert "tracks" not in found[0][4].lower()


def test_rb_a_producer_the_receiver_cannot_tell_names_each(tmp_path) -> None:
    path = "app/services/points/create.rb"
    caller = _POINTS.replace("Visits::RealtimeDebouncer.new(user_id)", "debouncer_for(user_id)")
    main = {**_DAWARICH, "app/services/visits/realtime_debouncer.rb": _VISITS_DEBOUNCER,
            path: caller.replace("      debouncer_for(user_id).trigger\n", "      user_id\n")}
    found = _found(tmp_path, main, {path: caller}, rule="DC715")
    assert len(found) == 1 and "one of 2 methods so named" in found[0][4]
    assert "visits/realtime_debouncer.rb:8" in found[0][4] and "tracks/realtime_debouncer.rb:8" in found[0][4]


_GEOCODING_JOB = ("class ReverseGeocodingJob < ApplicationJob\n  queue_as :reverse_geocoding\n\n"
                  "  def perform(klass, id, force: false)\n    data_fetcher(klass, id, force).call\n  end\n\n  private\n\n"
                  "  def data_fetcher(klass, id, force)\n"
                  '    "ReverseGeocoding::#{klass.pluralize.camelize}::FetchData".constantize.new(id, force: force)\n'
                  "  end\nend\n")
_FETCH_DATA = ("module ReverseGeocoding\n  module Points\n    class FetchData\n      def initialize(id, force: false)\n"
               "        @id, @force = id, force\n      end\n\n      def call\n        return if geocoded? && !@force\n\n"
               "        update_point\n      end\n    end\n  end\nend\n")


def test_rb_a_class_looked_up_by_a_string_is_a_trail(tmp_path) -> None:
    # dawarich: the job builds its fetcher from `"ReverseGeocoding::#{…}::FetchData".constantize`; the
    # guard that stops a point being geocoded twice was removed after signing and the gate passed.
    path = "app/services/reverse_geocoding/points/fetch_data.rb"
    main = {"app/jobs/reverse_geocoding_job.rb": _GEOCODING_JOB, "app/jobs/application_job.rb": _DAWARICH["app/jobs/application_job.rb"],
            path: _FETCH_DATA}
    found = _found(tmp_path, main, {path: _FETCH_DATA.replace("        return if geocoded? && !@force\n\n", "")})
    assert [(p, line, side) for p, line, side, *_ in found] == [(path, 9, "base")]
    assert "reverse_geocoding_job.rb:11" in found[0][4]


_SIDEKIQ_YML = ":concurrency: 5\n:queues:\n  - default\n  - [highest_priority, 5]\n  - reverse_geocoding\n"


def test_rb_a_job_moved_to_a_queue_no_worker_serves_is_high(tmp_path) -> None:
    # The trial's typo on dawarich: `queue_as :highest_prio`, which config/sidekiq.yml does not list.
    path = "app/jobs/reverse_geocoding_job.rb"
    job = "class ReverseGeocodingJob < ApplicationJob\n  queue_as :reverse_geocoding\n\n  def perform(id)\n  end\nend\n"
    main = {"config/sidekiq.yml": _SIDEKIQ_YML, path: job}
    typo = _found(tmp_path / "typo", main, {path: job.replace(":reverse_geocoding", ":highest_prio")}, rule="DC164")
    assert [(p, line, severity) for p, line, _side, severity, _m in typo] == [(path, 2, "high")]
    assert "No worker serves `highest_prio`" in typo[0][4] and "config/sidekiq.yml" in typo[0][4]
    served = _found(tmp_path / "served", main, {path: job.replace(":reverse_geocoding", ":highest_priority")}, rule="DC164")
    assert [(p, line, severity) for p, line, _side, severity, _m in served] == [(path, 2, "warning")]


def test_a_job_librarys_own_release_in_its_monorepo_is_no_upgrade(tmp_path) -> None:
    # pg-boss's dashboard and proxy depend on `pg-boss`, the repository's own package: its release
    # bumped them (three false flags of DC518's first version). An application's BullMQ bump is one.
    root = '{\n  "name": "pg-boss",\n  "version": "12.25.0"\n}\n'
    proxy = '{\n  "name": "@pg-boss/proxy",\n  "dependencies": {\n    "bullmq": "^5.1.0",\n    "pg-boss": "^12.25.0"\n  }\n}\n'
    head = proxy.replace("^12.25.0", "^12.26.0").replace("^5.1.0", "^5.2.0")
    found = _found(tmp_path, {"package.json": root, "packages/proxy/package.json": proxy},
                   {"packages/proxy/package.json": head}, rule="DC518")
    assert [(p, line) for p, line, *_ in found] == [("packages/proxy/package.json", 4)]
    assert "bullmq" in found[0][4]
