"""Red team of session 20's readings (commits c179c1a, 626b91a, 86de1c3, 0f42a95): each test not
marked PASSES NOW failed on the code it was written against (8d47927) and passes since the fixes
after it; each says what real code it models and what the correct result is. Real git repositories,
real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch as _found


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


# --- 1. A JVM package named like a test folder, below the source root, is code ------------------
#
# c179c1a: below `src/main/java/` a package named `build`, `dist`, `vendor` or `node_modules` is
# code, "whatever its name". The test-folder names are not renamed the same way: a production
# package `fixtures` (a football app's match fixtures) or `e2e` (a messenger's end-to-end
# encryption) is still taken for tests, and every change in it is dropped without a word.

_FIXTURE_JOB = ("package com.acme.league.fixtures;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
                "public class FixtureSyncJob {\n    private int pending;\n\n"
                "    @Scheduled(fixedRate = 60000)\n    public void sync() {\n        pending = pending - 1;\n    }\n}\n")
_PREKEY_JOB = ("package com.acme.chat.e2e\n\nimport org.springframework.scheduling.annotation.Scheduled\n\n"
               "class PreKeyRefillJob {\n    private var pending = 0\n\n"
               "    @Scheduled(fixedRate = 60000)\n    fun refill() {\n        pending = pending - 1\n    }\n}\n")


@pytest.mark.parametrize(("path", "source"), [
    # A league app's scheduled sync of the season's fixtures (matches), in its `fixtures` package.
    ("server/src/main/java/com/acme/league/fixtures/FixtureSyncJob.java", _FIXTURE_JOB),
    # A messenger's scheduled refill of one-time pre-keys, in its encryption package `e2e`.
    ("server/src/main/kotlin/com/acme/chat/e2e/PreKeyRefillJob.kt", _PREKEY_JOB),
], ids=["java-fixtures-package", "kotlin-e2e-package"])
def test_jvm_a_package_named_like_a_test_folder_below_the_source_root_is_code(tmp_path, path: str, source: str) -> None:
    # Was a silent miss (red team 20): is_test_or_doc() says True, nothing is reported. Correct: read as code,
    # as the same job in a package named `sync` is (DC701 on the changed line 10).
    found = _found(tmp_path, {path: source}, {path: source.replace("pending - 1", "pending - 2")}, rule=None)
    assert _lines(found) == [(path, 10)]
    assert "@Scheduled method" in found[0][4]


def test_jvm_test_packages_below_the_source_root_are_code_but_test_sets_stay_tests() -> None:
    from deploycheck.rules.paths import is_test_or_doc

    # Failed before the fix (both were True): below the source root these are packages.
    assert not is_test_or_doc("server/src/main/java/com/acme/league/fixtures/FixtureSyncJob.java")
    assert not is_test_or_doc("server/src/main/kotlin/com/acme/chat/e2e/PreKeyRefillJob.kt")
    # Still tests: a test source set, and a test class below the production root.
    assert is_test_or_doc("server/src/test/java/com/acme/league/fixtures/FixtureSyncJobTest.java")
    assert is_test_or_doc("server/src/main/java/com/acme/league/FixtureSyncJobTest.java")


def test_passes_now_a_kotlin_multiplatform_build_package_is_code() -> None:
    # PASSES NOW (pinned): a Kotlin Multiplatform production set's `build` package is code, a
    # `build/` output folder above the source root is not.
    from deploycheck.rules.paths import is_test_or_doc

    assert not is_test_or_doc("shared/src/jvmMain/kotlin/org/x/build/BuildRunner.kt")
    assert not is_test_or_doc("shared/src/commonMain/kotlin/org/x/dist/Distributor.kt")
    assert is_test_or_doc("shared/build/generated/src/jvmMain/kotlin/org/x/Api.kt")


# --- 2. DC452: the migration's undo, found by indentation -----------------------------------------

_DROP = "db/migrate/20260401000000_drop_legacy_code.rb"


@pytest.mark.parametrize(("source", "line"), [
    # An endless undo written first, the `up` as a block: `def down = …` has no `end`, so the
    # search for "the end at its indentation" finds the end of `def up` and hides `up`'s body.
    ("class DropLegacyCode < ActiveRecord::Migration[7.1]\n  def down = add_column(:users, :legacy_code, :string)\n\n"
     "  def up\n    remove_column :users, :legacy_code\n  end\nend\n", 5),
    # The classic one-line undo before `up` (`def down; …; end`): the same.
    ("class DropLegacyCode < ActiveRecord::Migration[7.1]\n  def down; add_column :users, :legacy_code, :string; end\n\n"
     "  def up\n    remove_column :users, :legacy_code\n  end\nend\n", 5),
    # `up` calls a private helper that drops the column; the irreversible undo is endless and
    # the helper comes after it: the helper's body is taken for the undo.
    ("class DropLegacyCode < ActiveRecord::Migration[7.1]\n  def up\n    drop_legacy_columns\n  end\n\n"
     "  def down = raise(ActiveRecord::IrreversibleMigration)\n\n  private\n\n"
     "  def drop_legacy_columns\n    remove_column :users, :legacy_code\n  end\nend\n", 11),
], ids=["endless-down-first", "one-line-down-first", "helper-after-endless-down"])
def test_dc452_a_down_without_a_block_hides_nothing_after_it(tmp_path, source: str, line: int) -> None:
    # Was a silent miss (red team 20). Correct: the `remove_column` that `up` runs is flagged (high).
    found = _found(tmp_path, {"README.md": "app\n"}, {_DROP: source}, rule="DC452")
    assert _lines(found) == [(_DROP, line)]


def test_dc452_reversible_one_line_braces(tmp_path) -> None:
    # `reversible` written with one-line braces, as Rails' guides show it (a legacy column
    # replaced by a digest). The `up` branch's drop was missed: the patterns wanted the
    # operation at the start of its line. Correct: the `dir.up { remove_column … }` line 4 is
    # flagged, and the undo `dir.down { remove_column … }` line 9 is not.
    source = ("class ReplaceLegacyCode < ActiveRecord::Migration[7.1]\n  def change\n    reversible do |dir|\n"
              "      dir.up { remove_column :users, :legacy_code }\n"
              "      dir.down { add_column :users, :legacy_code, :string }\n    end\n"
              "    reversible do |dir|\n      dir.up { add_column :users, :code_digest, :string }\n"
              "      dir.down { remove_column :users, :code_digest }\n    end\n  end\nend\n")
    found = _found(tmp_path, {"README.md": "app\n"}, {_DROP: source}, rule="DC452")
    assert _lines(found) == [(_DROP, 4)]


def test_passes_now_dc452_a_block_down_before_up(tmp_path) -> None:
    # PASSES NOW (pinned): `def down … end` first, then `def up`: only `up`'s drop is flagged, and
    # a multi-line `dir.down { … }` written before `dir.up { … }` hides only its own lines.
    source = ("class DropLegacyCode < ActiveRecord::Migration[7.1]\n  def down\n    add_column :users, :legacy_code, :string\n"
              "    remove_column :users, :code_v2\n  end\n\n  def up\n    remove_column :users, :legacy_code\n  end\nend\n\n"
              "class DropOldToken < ActiveRecord::Migration[7.1]\n  def change\n    reversible do |dir|\n      dir.down {\n"
              "        remove_column :users, :token_v2\n      }\n      dir.up {\n        remove_column :users, :old_token\n"
              "      }\n    end\n  end\nend\n")
    found = _found(tmp_path, {"README.md": "app\n"}, {_DROP: source}, rule="DC452")
    assert _lines(found) == [(_DROP, 8), (_DROP, 19)]


# --- 3. DC251 / DC250: a caught duplicate-key error -----------------------------------------------

_SEAT_JOB = ("class ClaimSeatJob < ApplicationJob\n  queue_as :default\n\n  def perform(event_id, user_id)\n"
             "    Seat.create!(event_id: event_id, user_id: user_id)\n  rescue ActiveRecord::RecordInvalid\n    nil\n  end\nend\n")


@pytest.mark.parametrize("rescue", [
    # Sequel's duplicate-key error (a Roda or Hanami app on Sequel, jobs on Sidekiq).
    "  rescue Sequel::UniqueConstraintViolation\n    nil\n",
    # Mongoid: the driver's failure, kept only for the duplicate-key code.
    "  rescue Mongo::Error::OperationFailure => e\n    raise unless e.code == 11000\n",
], ids=["sequel", "mongoid-11000"])
def test_dc251_a_duplicate_key_error_of_another_orm(tmp_path, rescue: str) -> None:
    # Was a silent miss (red team 20) (only RecordNotUnique and PG::UniqueViolation are read). Correct: the
    # job's new rescue of the lost race is flagged on the line naming the duplicate key, like
    # `rescue ActiveRecord::RecordNotUnique`.
    path = "app/jobs/claim_seat_job.rb"
    head = _SEAT_JOB.replace("  rescue ActiveRecord::RecordInvalid\n    nil\n", rescue)
    found = _found(tmp_path, {path: _SEAT_JOB}, {path: head}, rule="DC251")
    line = 7 if "11000" in rescue else 6
    assert _lines(found) == [(path, line)]


_SIGNUP_WORKER = ('import { Worker } from "bullmq";\n{IMPORT}import { User } from "../models/user";\n\n'
                  'export const worker = new Worker("signup", async (job) => {\n  try {\n'
                  "    await User.create({ email: job.data.email });\n  } catch (err) {\n    throw err;\n  }\n}, { connection });\n")


@pytest.mark.parametrize(("imports", "guard"), [
    # Mongoose's idiom: rethrow anything but the duplicate key (`!==`, not `===`).
    ("", "    if (err.code !== 11000) throw err;\n"),
    # MySQL's error number, as mysql2 hands it.
    ("", "    if (err.errno !== 1062) throw err;\n"),
    # pg-error-enum's name for 23505.
    ('import { PostgresError } from "pg-error-enum";\n', "    if (err.code !== PostgresError.UNIQUE_VIOLATION) throw err;\n"),
    # MikroORM's exception (a NestJS worker).
    ('import { UniqueConstraintViolationException } from "@mikro-orm/core";\n',
     "    if (!(err instanceof UniqueConstraintViolationException)) throw err;\n"),
], ids=["mongo-not-equal", "mysql-errno", "pg-error-enum", "mikro-orm"])
def test_dc250_a_duplicate_key_error_written_otherwise(tmp_path, imports: str, guard: str) -> None:
    # Was a silent miss (red team 20). Correct: the worker now swallows the losing insert of a race: flagged
    # on the guard's line.
    path = "src/workers/signup.ts"
    base = _SIGNUP_WORKER.replace("{IMPORT}", imports)
    found = _found(tmp_path, {path: base}, {path: base.replace("    throw err;\n", guard)}, rule="DC250")
    line = base.splitlines().index("    throw err;") + 1
    assert _lines(found) == [(path, line)]


def test_dc251_an_http_error_mapping_is_no_concurrency_control(tmp_path) -> None:
    # Was a false flag (red team 20). A Rails API's ApplicationController renders a duplicate key as 409
    # instead of 500: no retry, no refetch, no job; the race and its outcome in the database are
    # what they were. Correct: nothing.
    path = "app/controllers/application_controller.rb"
    base = ("class ApplicationController < ActionController::API\n  rescue_from ActiveRecord::RecordNotFound, with: :not_found\n\n"
            "  private\n\n  def not_found\n    head :not_found\n  end\nend\n")
    head = base.replace("with: :not_found\n", "with: :not_found\n  rescue_from ActiveRecord::RecordNotUnique, with: :conflict\n", 1) \
        .replace("    head :not_found\n  end\n", "    head :not_found\n  end\n\n  def conflict\n    head :conflict\n  end\n")
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC251") == []


def test_dc250_an_http_error_mapping_is_no_concurrency_control(tmp_path) -> None:
    # Was a false flag (red team 20): the same in an Express error handler (Prisma's P2002 answered with 409).
    # Correct: nothing.
    path = "src/http/errors.ts"
    base = ('import { prisma } from "./db";\n\nexport function errorHandler(err, req, res, next) {\n'
            '  if (err.name === "ValidationError") return res.status(422).json({ error: err.message });\n'
            '  res.status(500).json({ error: "internal" });\n}\n')
    head = base.replace('  res.status(500)', '  if (err.code === "P2002") return res.status(409).json({ error: "already exists" });\n'
                        '  res.status(500)')
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC250") == []


# --- 4. DC506: Sidekiq's configuration by its keys ----------------------------------------------

@pytest.mark.parametrize(("source", "line"), [
    # Environment sections only (Sidekiq merges the section of RAILS_ENV): no top-level key.
    ("development:\n  :concurrency: 2\n  :queues:\n    - default\nproduction:\n  :concurrency: 5\n  :queues:\n"
     "    - critical\n    - default\n", 6),
    # Sidekiq 7's plain keys with the queues as a flow list.
    ("concurrency: 5\nqueues: [critical, default, mailers]\n", 1),
    # ... or as a block list not indented under its key (valid YAML, as `rails new` writes lists).
    ("concurrency: 5\nqueues:\n- critical\n- default\n", 1),
], ids=["environment-sections", "flow-list", "unindented-list"])
def test_dc506_sidekiq_configuration_written_otherwise(tmp_path, source: str, line: int) -> None:
    # `config/worker.yml`, passed as `bundle exec sidekiq -C config/worker.yml` (Procfile).
    # Was a silent miss (red team 20). Correct: the concurrency 5 -> 20 is flagged on its line.
    path = "config/worker.yml"
    head = source.replace("concurrency: 5", "concurrency: 20")
    found = _found(tmp_path, {path: source, "Procfile": "worker: bundle exec sidekiq -C config/worker.yml\n"},
                   {path: head}, rule="DC506")
    assert _lines(found) == [(path, line)]


def test_passes_now_dc506_an_erb_value_in_a_file_named_otherwise(tmp_path) -> None:
    # PASSES NOW (pinned): an ERB default in Sidekiq's symbol keys, whatever the file's name.
    path = "config/worker.yml"
    source = ':concurrency: <%= ENV.fetch("SIDEKIQ_CONCURRENCY", 5) %>\n:queues:\n  - default\n'
    found = _found(tmp_path, {path: source}, {path: source.replace("5)", "20)")}, rule="DC506")
    assert _lines(found) == [(path, 1)]


# --- 5. DC510: a concurrency held by a constant or a parameter ----------------------------------

_MAIL = "src/workers/mail.ts"


@pytest.mark.parametrize(("source", "old", "new", "line"), [
    # The constant named in capitals, as most code names one.
    ('import { Worker } from "bullmq";\n\nconst WORKER_CONCURRENCY = 1;\n\n'
     'export const worker = new Worker("mail", sendMail, { connection, concurrency: WORKER_CONCURRENCY });\n', "= 1;", "= 10;", 3),
    # Destructured options with a default, first in the braces.
    ('import { Worker } from "bullmq";\n\nexport function startMailWorker({ concurrency = 1, connection }: Options) {\n'
     '  return new Worker("mail", sendMail, { connection, concurrency });\n}\n', "= 1,", "= 10,", 3),
    # A trailing options object defaulted to `{}`.
    ('import { Worker } from "bullmq";\n\nexport function startMailWorker(connection: Redis, { concurrency = 1 } = {}) {\n'
     '  return new Worker("mail", sendMail, { connection, concurrency });\n}\n', "= 1 }", "= 10 }", 3),
    # A class's field (a NestJS-style service that starts the worker).
    ('import { Worker } from "bullmq";\n\nexport class MailWorker {\n  private readonly concurrency = 1;\n\n  start() {\n'
     '    return new Worker("mail", sendMail, { connection, concurrency: this.concurrency });\n  }\n}\n', "= 1;", "= 10;", 4),
    # @nestjs/bullmq's processor options taking a constant.
    ('import { Processor, WorkerHost } from "@nestjs/bullmq";\n\nconst CONCURRENCY = 1;\n\n'
     '@Processor("mail", { concurrency: CONCURRENCY })\nexport class MailProcessor extends WorkerHost {\n'
     "  async process(job) {}\n}\n", "= 1;", "= 10;", 3),
], ids=["capital-constant", "destructured-first", "destructured-options-default", "class-field", "nest-constant"])
def test_dc510_concurrency_held_by_a_constant_or_parameter(tmp_path, source: str, old: str, new: str, line: int) -> None:
    # Was a silent miss (red team 20). Correct: 1 -> 10 jobs at once is flagged on the line holding the value.
    found = _found(tmp_path, {_MAIL: source}, {_MAIL: source.replace(old, new)}, rule="DC510")
    assert _lines(found) == [(_MAIL, line)]


def test_dc510_a_limit_inside_the_job_is_not_the_workers_concurrency(tmp_path) -> None:
    # Was a false flag (red team 20) ("more jobs will now run at the same time"). A BullMQ thumbnail job uploads
    # its sizes four at a time through p-limit: the worker still runs one job at a time (its
    # options name no concurrency). Correct: nothing, as DC510_not_a_worker.ts reads p-limit in
    # a file without the queue library.
    path = "src/workers/thumbnails.ts"
    source = ('import { Worker } from "bullmq";\nimport pLimit from "p-limit";\n\n'
              'export const worker = new Worker("thumbnails", async (job) => {\n'
              "  const concurrency = 4; // uploads to S3 at once\n  const limit = pLimit(concurrency);\n"
              "  await Promise.all(job.data.sizes.map((size) => limit(() => resize(job.data.key, size))));\n}, { connection });\n")
    assert _found(tmp_path, {path: source}, {path: source.replace("= 4;", "= 8;")}, rule="DC510") == []


# --- 6. DC716: `.sql` migrations and another file's pg_cron schedule -----------------------------

_LEADERBOARD = ("create or replace function refresh_leaderboard() returns void as $$\nbegin\n  delete from leaderboard;\n"
                "  insert into leaderboard select user_id, sum(points) from scores group by user_id;\nend;\n$$ language plpgsql;\n")


def test_dc716_a_schedule_whose_command_runs_several_statements(tmp_path) -> None:
    # Was a silent miss (red team 20): a nightly pg_cron job whose command is a dollar-quoted body of two
    # statements. Another file's command is read up to its first `;`, so only the first
    # statement's functions count. Correct: a later migration replacing `refresh_leaderboard`
    # is flagged on its first line, as when the command is that call alone.
    schedule = ("create extension if not exists pg_cron;\n\nselect cron.schedule('nightly-maintenance', '0 3 * * *', $$\n"
                "  delete from job_runs where finished_at < now() - interval '30 days';\n  select refresh_leaderboard();\n$$);\n")
    later = "supabase/migrations/20260201000000_leaderboard.sql"
    found = _found(tmp_path, {"supabase/migrations/20260101000000_maintenance.sql": schedule}, {later: _LEADERBOARD}, rule="DC716")
    assert _lines(found) == [(later, 1)]


_CLAIM = ("create or replace function claim_jobs(batch int) returns setof jobs as $$\n  update jobs set status = 'running'\n"
          "  where id in (\n    select id from jobs where status = 'queued'\n    order by created_at\n    limit batch\n"
          "    for update skip locked\n  )\n  returning *;\n$$ language sql;\n\n"
          "select cron.schedule('claim-jobs', '* * * * *', 'select claim_jobs(50)');\n")


def test_dc716_a_line_only_removed_from_job_sql_in_a_sql_file(tmp_path) -> None:
    # Was a silent miss (red team 20). Supabase's declarative schema (`supabase/schemas/`) is edited in place:
    # the scheduled claim loses `for update skip locked`, so two runs claim the same jobs. Only
    # added lines of a `.sql` file are read. Correct: flagged on the removed line (base side),
    # as the same SQL in a code string is (see the next test).
    path = "supabase/schemas/jobs.sql"
    found = _found(tmp_path, {path: _CLAIM}, {path: _CLAIM.replace("    for update skip locked\n", "")}, rule="DC716")
    assert [(p, line, side) for p, line, side, *_ in found] == [(path, 7, "base")]


def test_passes_now_dc716_a_line_only_removed_from_job_sql_in_a_code_string(tmp_path) -> None:
    # PASSES NOW (pinned): the same removal in a Drizzle string is read on the base side.
    path = "src/db/jobs.ts"
    body, schedule = _CLAIM.split("\n\n")
    source = (f'import {{ sql }} from "drizzle-orm";\n\nexport const claim = sql.raw(`\n{body}\n`);\n'
              f"export const schedule = sql`{schedule.rstrip(';')}`;\n")
    found = _found(tmp_path, {path: source}, {path: source.replace("    for update skip locked\n", "")}, rule="DC716")
    assert [(p, line, side) for p, line, side, *_ in found] == [(path, 10, "base")]


def test_dc716_a_sql_standard_function_body(tmp_path) -> None:
    # Was a silent miss (red team 20): a `begin atomic … end` body (Postgres 14+) holds statements ending in
    # `;`, and the file is split there, so the body's second statement is no longer in the
    # statement that defines the scheduled function. Correct: flagged on the changed line 5.
    path = "supabase/migrations/20260101000000_purge.sql"
    source = ("create or replace function purge_expired() returns void\nlanguage sql\nbegin atomic\n"
              "  delete from sessions where expires_at < now();\n"
              "  delete from password_resets where created_at < now() - interval '1 day';\nend;\n\n"
              "select cron.schedule('purge-expired', '*/10 * * * *', 'select purge_expired()');\n")
    found = _found(tmp_path, {path: source}, {path: source.replace("'1 day'", "'1 hour'")}, rule="DC716")
    assert _lines(found) == [(path, 5)]


_REPORT = ("create or replace function rebuild_report() returns void as $$\nbegin\n  refresh materialized view report;\nend;\n"
           "$$ language plpgsql;\n")
_REPORT_NOTE = ("\n-- Run by hand after a bulk import; to run it nightly instead:\n"
                "-- select cron.schedule('rebuild-report', '0 2 * * *', 'select rebuild_report()');\n")


def test_dc716_a_schedule_in_a_comment_schedules_nothing(tmp_path) -> None:
    # Was a false flag (red team 20): a migration defines a report function run by hand and says in a comment
    # how one would schedule it. The comment is read as a pg_cron call, in the same file and
    # from another. Correct: nothing, either way.
    path = "supabase/migrations/20260101000000_report.sql"
    concurrently = ("refresh materialized view report", "refresh materialized view concurrently report")
    source = _REPORT + _REPORT_NOTE
    assert _found(tmp_path / "same", {path: source}, {path: source.replace(*concurrently)}, rule="DC716") == []
    later = "supabase/migrations/20260201000000_report_v2.sql"
    assert _found(tmp_path / "other", {path: source}, {later: _REPORT.replace(*concurrently)}, rule="DC716") == []


def test_dc716_a_job_unscheduled_later_schedules_nothing(tmp_path) -> None:
    # Was a false flag (red team 20): the first migration scheduled `purge_sessions`, a later one unscheduled
    # the job (the application's own nightly task purges now), and a third changes the
    # function, which no pg_cron job runs any more. Correct: nothing.
    first = "supabase/migrations/20260101000000_purge.sql"
    second = "supabase/migrations/20260201000000_unschedule.sql"
    third = "supabase/migrations/20260301000000_purge_fn.sql"
    function = ("create or replace function purge_sessions() returns void as $$\nbegin\n"
                "  delete from sessions where expires_at < now() - interval '1 day';\nend;\n$$ language plpgsql;\n")
    main = {first: "select cron.schedule('purge-sessions', '0 * * * *', 'select purge_sessions()');\n",
            second: "-- the application's nightly task purges sessions now\nselect cron.unschedule('purge-sessions');\n"}
    assert _found(tmp_path, main, {third: function}, rule="DC716") == []


def test_dc716_a_schedules_command_ends_with_its_call(tmp_path) -> None:
    # Was a false flag (red team 20): a Rails migration schedules a nightly VACUUM and, in the same `up`,
    # creates a trigger. Ruby has no `;`, so the schedule's "command" is read through the next
    # 2000 characters, and the trigger's function is taken for a scheduled one: the fx gem's
    # next version of that trigger function is flagged as pg_cron's. Correct: nothing.
    migration = ("class AddSearchMaintenance < ActiveRecord::Migration[7.1]\n  def up\n"
                 "    execute \"select cron.schedule('vacuum-events', '0 4 * * *', 'vacuum analyze events')\"\n"
                 "    execute <<~SQL\n      create trigger posts_search_refresh after insert or update on posts\n"
                 "        for each row execute function refresh_post_search()\n    SQL\n  end\n\n  def down\n"
                 "    execute \"drop trigger posts_search_refresh on posts\"\n"
                 "    execute \"select cron.unschedule('vacuum-events')\"\n  end\nend\n")
    function = ("create or replace function refresh_post_search() returns trigger as $$\nbegin\n"
                "  new.search := to_tsvector('simple', new.title);\n  return new;\nend;\n$$ language plpgsql;\n")
    main = {"db/migrate/20260101000000_add_search_maintenance.rb": migration, "db/functions/refresh_post_search_v01.sql": function}
    head = {"db/functions/refresh_post_search_v02.sql": function.replace("'simple'", "'english'")}
    assert _found(tmp_path, main, head, rule="DC716") == []


def test_dc716_an_index_on_a_queue_table_runs_no_job(tmp_path) -> None:
    # Was a false flag (red team 20): a migration indexes pgmq's queue table (`pgmq.q_emails`), and
    # `pgmq.q_emails (vt)` is read as a call of a pgmq function. Correct: nothing (DDL, no job).
    path = "supabase/migrations/20260101000000_queue_index.sql"
    assert _found(tmp_path, {"README.md": "app\n"}, {path: "create index if not exists q_emails_vt_idx on pgmq.q_emails (vt);\n"},
                  rule="DC716") == []


_DRAIN = ("-- drain the queue; the body is dollar-quoted ($$) so quotes need no doubling\n"
          "create or replace function drain_jobs(batch int) returns int as $body$\ndeclare\n  n int := 0;\nbegin\n"
          "  execute format($q$ select count(*) from pgmq.read('jobs', 30, $1) $q$) into n using batch;\n"
          "  return n;\nend;\n$body$ language plpgsql;\n\n"
          "create or replace function touch_updated_at() returns trigger as $$\nbegin\n  new.updated_at := now();\n"
          "  return new;\nend;\n$$ language plpgsql;\n\n"
          "select cron.schedule('drain-jobs', '* * * * *', 'select drain_jobs(100)');\n")


def test_passes_now_dc716_nested_dollar_tags_bind_parameters_and_comments(tmp_path) -> None:
    # PASSES NOW (pinned): a comment holding `;` and `$$`, a `$body$` body with a nested `$q$`
    # and a `$1` bind parameter: the drainer's change is flagged on its line, and a trigger
    # function beside it that no job calls is not.
    path = "supabase/migrations/20260101000000_drain.sql"
    found = _found(tmp_path / "drain", {path: _DRAIN}, {path: _DRAIN.replace("30, $1", "60, $1")}, rule="DC716")
    assert _lines(found) == [(path, 6)]
    touched = _DRAIN.replace("new.updated_at := now();", "new.updated_at := clock_timestamp();")
    assert _found(tmp_path / "touch", {path: _DRAIN}, {path: touched}, rule="DC716") == []


@pytest.mark.parametrize(("path", "source"), [
    ("supabase/migrations/20260101000000_sched.sql",
     "select cron.schedule_in_database('purge', '0 * * * *', 'select purge_sessions()', 'app');\n"),
    ("internal/db/cron.go",
     "package db\n\nconst schedulePurge = `select cron.schedule('purge-sessions', '0 * * * *', 'select public.purge_sessions()')`\n"),
], ids=["schedule-in-database", "go-string"])
def test_passes_now_dc716_a_function_another_file_schedules(tmp_path, path: str, source: str) -> None:
    # PASSES NOW (pinned): `cron.schedule_in_database`, and a schedule in a Go string calling the
    # function schema-qualified.
    later = "supabase/migrations/20260301000000_purge_fn.sql"
    function = ("create or replace function purge_sessions() returns void as $$\nbegin\n"
                "  delete from sessions where expires_at < now();\nend;\n$$ language plpgsql;\n")
    found = _found(tmp_path, {path: source}, {later: function}, rule="DC716")
    assert _lines(found) == [(later, 1)]


# --- 7. DC360: gorm's Save and column updates -----------------------------------------------------

_IMAP = ('package models\n\nimport (\n\t"time"\n\n\tlog "github.com/gophish/gophish/logger"\n)\n\n'
         "// SuccessfulLogin records when the IMAP poller last logged in.\nfunc SuccessfulLogin(im *IMAP) error {\n"
         "\tim.LastLogin = time.Now().UTC()\n\terr := db.Save(im).Error\n\tif err != nil {\n"
         '\t\tlog.Error("Unable to update database: ", err.Error())\n\t}\n\treturn err\n}\n')


def test_dc360_a_file_using_the_packages_gorm_handle(tmp_path) -> None:
    # Was a silent miss (red team 20). gophish's models/imap.go: it writes through the package's `db`
    # (a *gorm.DB declared in models.go) and imports no gorm itself. Correct: the Save that
    # became a column update is flagged on the new line 11.
    head = _IMAP.replace("\tim.LastLogin = time.Now().UTC()\n\terr := db.Save(im).Error\n",
                         '\terr := db.Model(&im).Where("user_id = ?", im.UserId).Update("last_login", time.Now().UTC()).Error\n')
    main = {"models/models.go": 'package models\n\nimport "github.com/jinzhu/gorm"\n\nvar db *gorm.DB\n', "models/imap.go": _IMAP}
    found = _found(tmp_path, main, {"models/imap.go": head}, rule="DC360")
    assert _lines(found) == [("models/imap.go", 11)]


_STORE = ('package store\n\nimport (\n\t"context"\n\n\t"gorm.io/gorm"\n)\n\ntype Store struct{ db *gorm.DB }\n\n'
          "func (s *Store) CompleteCampaign(ctx context.Context, c *Campaign) error {\n"
          '\tc.Status = "completed"\n\treturn s.db.WithContext(ctx).\n\t\tWhere("id = ?", c.ID).\n\t\tSave(c).Error\n}\n')


@pytest.mark.parametrize(("base", "head", "line"), [
    # Save at the start of its line (the chain split after its dots, as gofmt'd gorm code is)
    # replaced by an Update on the same kind of line.
    (_STORE, _STORE.replace('\tc.Status = "completed"\n\treturn s.db.WithContext(ctx).\n\t\tWhere("id = ?", c.ID).\n\t\tSave(c).Error\n',
                            '\treturn s.db.WithContext(ctx).\n\t\tModel(&Campaign{}).\n\t\tWhere("id = ?", c.ID).\n'
                            '\t\tUpdate("status", "completed").Error\n'), 15),
    # The reverse: a split Updates chain replaced by a one-line Save.
    (_STORE.replace('\tc.Status = "completed"\n\treturn s.db.WithContext(ctx).\n\t\tWhere("id = ?", c.ID).\n\t\tSave(c).Error\n',
                    '\treturn s.db.WithContext(ctx).Model(c).\n\t\tUpdates(map[string]any{"status": "completed"}).Error\n'),
     _STORE.replace('\tc.Status = "completed"\n\treturn s.db.WithContext(ctx).\n\t\tWhere("id = ?", c.ID).\n\t\tSave(c).Error\n',
                    '\tc.Status = "completed"\n\treturn s.db.WithContext(ctx).Save(c).Error\n'), 13),
], ids=["save-to-update", "updates-to-save"])
def test_dc360_a_chain_split_after_its_dots(tmp_path, base: str, head: str, line: int) -> None:
    # Was a silent miss (red team 20): `\.Save\(` and `\.Updates?\(` want the dot on the call's line. Correct:
    # flagged at the first added line of the new kind (the diff keeps `Where(…).` unchanged
    # between the removed Save and the added Update).
    path = "internal/store/campaign.go"
    found = _found(tmp_path, {path: base}, {path: head}, rule="DC360")
    assert _lines(found) == [(path, line)]


def test_dc360_a_session_save_is_not_a_whole_row_write(tmp_path) -> None:
    # Was a false flag (red team 20). gophish's login handler (controllers/route.go imports gorilla/sessions
    # and gorm): stamping `last_login` moves out of the handler, which now starts a session and
    # saves it (`session.Save(r, w)`, a cookie). No row is written whole. Correct: nothing.
    path = "controllers/route.go"
    base = ('package controllers\n\nimport (\n\t"net/http"\n\t"time"\n\n\t"github.com/gorilla/sessions"\n\t"github.com/jinzhu/gorm"\n)\n\n'
            "func (as *Server) Login(w http.ResponseWriter, r *http.Request) {\n\tu, err := as.authenticate(r)\n\tif err != nil {\n"
            '\t\thttp.Error(w, "unauthorized", http.StatusUnauthorized)\n\t\treturn\n\t}\n'
            '\tas.db.Model(&u).Update("last_login", time.Now().UTC())\n\thttp.Redirect(w, r, "/", http.StatusFound)\n}\n\n'
            "func (as *Server) sessionFor(r *http.Request) (*sessions.Session, *gorm.DB) {\n"
            '\ts, _ := as.store.Get(r, "gophish")\n\treturn s, as.db\n}\n')
    head = base.replace('\tas.db.Model(&u).Update("last_login", time.Now().UTC())\n',
                        '\tsession, _ := as.store.Get(r, "gophish")\n\tsession.Values["id"] = u.Id\n\tsession.Save(r, w)\n')
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC360") == []


def test_passes_now_dc360_save_replaced_while_another_save_changes_nearby(tmp_path) -> None:
    # PASSES NOW (pinned): completing a campaign writes its status as a column update, while the
    # results' Save a few lines below gains error handling (hunks apart: the diff has no context).
    path = "models/campaign.go"
    base = ('package models\n\nimport "github.com/jinzhu/gorm"\n\nfunc CompleteCampaign(db *gorm.DB, c *Campaign, rs []Result) error {\n'
            "\tc.Status = CampaignComplete\n\tc.CompletedDate = time.Now().UTC()\n\tif err := db.Save(c).Error; err != nil {\n"
            "\t\treturn err\n\t}\n\tfor i := range rs {\n\t\trs[i].Status = StatusComplete\n\t\tdb.Save(&rs[i])\n\t}\n\treturn nil\n}\n")
    head = base.replace("\tc.Status = CampaignComplete\n\tc.CompletedDate = time.Now().UTC()\n\tif err := db.Save(c).Error; err != nil {\n",
                        '\tif err := db.Model(c).Select("status", "completed_date").Updates(Campaign{Status: CampaignComplete, '
                        "CompletedDate: time.Now().UTC()}).Error; err != nil {\n") \
        .replace("\t\tdb.Save(&rs[i])\n", "\t\tif err := db.Save(&rs[i]).Error; err != nil {\n\t\t\treturn err\n\t\t}\n")
    found = _found(tmp_path, {path: base}, {path: head}, rule="DC360")
    assert _lines(found) == [(path, 6)]
