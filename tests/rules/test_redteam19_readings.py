"""Red team of session 19's readings (commit 29ef386): each test fails without its fix. Real git
repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch as _found

# --- DC716: job SQL however the code writes the function's name or splits the string -------------

_ENDPOINT = ("create or replace function call_job_endpoint(job_body text) returns text as $$\nbegin\n"
             "  perform http_set_curlopt('CURLOPT_TIMEOUT', '5');\n  return 'ok';\nend;\n$$ language plpgsql;")
_DRAIN = ("create or replace function process_jobs() returns text as $$\nbegin\n"
          "  perform call_job_endpoint((select message::text from pgmq.pop('jobs')));\n  return 'done';\nend;\n"
          "$$ language plpgsql;")
_SCHEDULE = "select cron.schedule('process-jobs', '5 seconds', 'select process_jobs()')"


def _drizzle(endpoint: str = _ENDPOINT, drain: str = _DRAIN) -> str:
    return (f'import {{ sql }} from "drizzle-orm";\n\nexport const endpoint = sql.raw(`{endpoint}`);\n'
            f"export const drain = sql.raw(`{drain}`);\nexport const schedule = sql`{_SCHEDULE}`;\n")


def _timeout_changed(tmp_path, path: str, source: str) -> list[tuple]:
    return _found(tmp_path, {path: source}, {path: source.replace("'5'", "'1'")}, rule="DC716")


@pytest.mark.parametrize("source", [
    # helper's drainer, written with a quoted, schema-qualified name where it is defined or called
    _drizzle(endpoint=_ENDPOINT.replace("function call_job_endpoint", 'function "public"."call_job_endpoint"')),
    _drizzle(drain=_DRAIN.replace("perform call_job_endpoint(", 'perform public."call_job_endpoint"(')),
    # the schema filled in by the code
    _drizzle(endpoint=_ENDPOINT.replace("function call_job_endpoint", "function ${schema}.call_job_endpoint")),
    # Supabase Queues: pgmq's functions in the schema `pgmq_public`, drained by a function no cron calls here
    _drizzle(drain=_DRAIN.replace("pgmq.pop(", "pgmq_public.pop(")).replace(f"export const schedule = sql`{_SCHEDULE}`;\n", ""),
], ids=["quoted-definition", "quoted-call", "schema-substituted", "pgmq-public"])
def test_dc716_job_sql_however_the_function_is_named(tmp_path, source: str) -> None:
    found = _timeout_changed(tmp_path, "db/lib/cronUtils.ts", source)
    assert [(p, line) for p, line, *_ in found] == [("db/lib/cronUtils.ts", 5)]


def test_dc716_a_heredoc_defining_several_functions(tmp_path) -> None:
    # A migration's heredoc defines two functions; the drainer calls the second.
    helper = "create or replace function job_url() returns text as $$ select 'https://app.example/api/job' $$ language sql;"
    migration = ("class AddJobDrainer < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~SQL\n"
                 f"      {helper}\n{_ENDPOINT}\n    SQL\n    execute <<~SQL\n{_DRAIN}\n    SQL\n"
                 f"    execute \"{_SCHEDULE}\"\n  end\nend\n")
    path = "db/migrate/20240101000000_add_job_drainer.rb"
    found = _timeout_changed(tmp_path, path, migration)
    assert [(p, line) for p, line, *_ in found] == [(path, 7)]
    assert "it defines `call_job_endpoint`" in found[0][4]


def test_dc716_a_function_written_as_a_concatenation(tmp_path) -> None:
    # Java before text blocks: the definition's lines are literals joined by `+`.
    setup = ("package app.db;\n\npublic class JobSql {\n"
             "    static final String ENDPOINT = \"create or replace function call_job_endpoint(body text) returns text as $$ \"\n"
             "        + \"begin perform http_set_curlopt('CURLOPT_TIMEOUT', '5'); return 'ok'; end; $$ language plpgsql\";\n"
             "    static final String SCHEDULE = \"select cron.schedule('drain', '5 seconds', 'select call_job_endpoint(''x'')')\";\n"
             "}\n")
    path = "src/main/java/app/db/JobSql.java"
    found = _timeout_changed(tmp_path, path, setup)
    assert [(p, line) for p, line, *_ in found] == [(path, 5)]


# --- A package named `docs` in a Kotlin Multiplatform production source set is code --------------

_KT_JOB = ("package org.x.docs\n\nimport org.springframework.scheduling.annotation.Scheduled\n\n"
           "class OpenApiRefresher {\n    @Scheduled(fixedDelay = 60000)\n    fun refresh() {\n"
           "        cache.put(\"paths\", reader.paths())\n    }\n}\n")


def test_kotlin_a_docs_package_in_a_multiplatform_source_set_is_read_as_code(tmp_path) -> None:
    # As below `src/main/kotlin/` (29ef386): taken for documentation, it was reported unread (DC001).
    path = "shared/src/jvmMain/kotlin/org/x/docs/OpenApiRefresher.kt"
    found = _found(tmp_path, {path: _KT_JOB}, {path: _KT_JOB.replace("reader.paths()", "reader.paths(true)")}, rule=None)
    assert [(rule_path, line) for rule_path, line, *_ in found] == [(path, 8)]
    assert "@Scheduled method" in found[0][4]


def test_a_multiplatform_test_set_stays_a_test() -> None:
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc("shared/src/jvmTest/kotlin/org/x/docs/Api.kt")
    assert is_test_or_doc("docs/src/commonMain/kotlin/Example.kt")
    assert not is_test_or_doc("shared/src/commonMain/kotlin/org/x/doc/Api.kt")


# --- A Ruby method after `private` is public again after `public :x` or `module_function` ---------

_FORMAT = ("module PhoneFormat\n  private\n\n  def strip_plus(value)\n    value.delete('+')\n  end\n\n{AFTER}"
           "  def normalize(value)\n    value.to_s\n  end\n{END}end\n")
_OPT_OUT = ("class PhoneNumberOptOut < ApplicationRecord\n  def formatted_phone\n    {CALL}(phone)\n  end\nend\n")
_NOTIFY_JOB = ("class SendNotificationJob < ApplicationJob\n  def perform(opt_out)\n    deliver(opt_out.formatted_phone)\n"
               "  end\nend\n")


@pytest.mark.parametrize(("after", "end", "call"), [
    ("  module_function\n\n", "", "PhoneFormat.normalize"),  # a module function, called on the module's name
    ("", "  public :normalize\n", "formatter.normalize"),  # made public again by name
], ids=["module_function", "public-by-name"])
def test_rb_a_method_public_again_keeps_its_trail(tmp_path, after: str, end: str, call: str) -> None:
    source = _FORMAT.replace("{AFTER}", after).replace("{END}", end)
    path = "lib/phone_format.rb"
    main = {path: source, "app/models/phone_number_opt_out.rb": _OPT_OUT.replace("{CALL}", call),
            "app/jobs/send_notification_job.rb": _NOTIFY_JOB}
    found = _found(tmp_path, main, {path: source.replace("    value.to_s\n", "    value.to_s.strip\n")})
    assert [(p, line) for p, line, *_ in found] == [(path, source.splitlines().index("    value.to_s") + 1)]


# --- A Java method too common to follow is followed through files naming a subclass too -----------


def test_java_a_common_method_called_on_a_subclass_variable(tmp_path) -> None:
    # The reissue task holds the V3 WeChat service, a subclass: it names neither the class that
    # declares `query` nor the interface above it.
    from test_apps_l_readings import _COMMON, _IFACE, _TASK, _TASK_PATH, _WXPAY, _WXPAY_HEAD, _WXPAY_PATH

    v3 = "package pay.channel;\n\npublic class WxpayV3TransferService extends WxpayTransferService {\n}\n"
    task = _TASK.replace("ITransferService service", "WxpayV3TransferService service")
    main = {**_COMMON, "pay/src/main/java/pay/service/ITransferService.java": _IFACE, _WXPAY_PATH: _WXPAY,
            "pay/src/main/java/pay/channel/WxpayV3TransferService.java": v3, _TASK_PATH: task}
    found = _found(tmp_path, main, {_WXPAY_PATH: _WXPAY_HEAD})
    assert [(p, line) for p, line, *_ in found] == [(_WXPAY_PATH, 9)]
    assert "TransferReissueTask.java:10" in found[0][4]


def test_java_a_sibling_calling_its_own_method_of_the_common_name_is_no_trail(tmp_path) -> None:
    # Searched for naming the base class, a refund job that extends it too calls its own `query`
    # bare: `this` there is never the WeChat service. The WeChat service calling it bare would be.
    from test_apps_l_readings import _COMMON, _WXPAY, _WXPAY_PATH

    base = "package pay.service;\n\npublic abstract class BaseService {\n    public abstract RetMsg query(TransferOrder order);\n}\n"
    wxpay = _WXPAY.replace("implements ITransferService", "extends BaseService")
    job = ("package pay.task;\n\nimport pay.service.BaseService;\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
           "public class RefundSyncJob extends {BASE} {\n    @Scheduled(cron = \"0 0/1 * * * ?\")\n    public void start() {\n"
           "        query(null);\n    }\n\n    @Override\n    public RetMsg query(TransferOrder order) {\n        return null;\n    }\n}\n")
    head = {_WXPAY_PATH: wxpay.replace("return RetMsg.of(state);", "return RetMsg.failed();")}
    main = {**_COMMON, "pay/src/main/java/pay/service/BaseService.java": base, _WXPAY_PATH: wxpay,
            "pay/src/main/java/pay/task/RefundSyncJob.java": job.replace("{BASE}", "BaseService")}
    assert _found(tmp_path / "sibling", main, head) == []
    # A subclass of the WeChat service: its bare `query` may run the changed override (through `super`, or its own).
    main["pay/src/main/java/pay/task/RefundSyncJob.java"] = job.replace("{BASE}", "pay.channel.WxpayTransferService")
    found = _found(tmp_path / "heir", main, head)
    assert [(p, line) for p, line, *_ in found] == [(_WXPAY_PATH, 9)]


# --- A Ruby pair's value: the key-only shorthand, and an own method that calls `super` ------------

_SERIALIZER = ("module Api\n  class TraineeSerializer\n    def initialize(trainee)\n      @trainee = trainee\n    end\n\n"
               "    def sex\n      SEXES.hesa_code_for(@trainee.sex)\n    end\n  end\nend\n")
_SERIALIZER_PATH = "app/serializers/api/trainee_serializer.rb"
_IMPORT_JOB = "class CreateFromApplicationJob < ApplicationJob\n  def perform(importer)\n    importer.mapped_attributes\n  end\nend\n"


def _importer_change(tmp_path, importer: str) -> list[tuple]:
    main = {_SERIALIZER_PATH: _SERIALIZER, "app/services/create_from_apply.rb": importer,
            "app/jobs/create_from_application_job.rb": _IMPORT_JOB}
    return _found(tmp_path, main, {_SERIALIZER_PATH: _SERIALIZER.replace("@trainee.sex)", "Trainee.sexes[@trainee.sex])")})


@pytest.mark.parametrize(("pair", "own", "trail"), [
    ("sex:", "", True),  # Ruby 3.1's `{sex:}`: a bare call of `sex`, maybe the serializer's
    ("sex:", "\n  def sex\n    GENDERS[raw[\"gender\"]]\n  end\n", False),  # the importer's own
    ("sex: sex", "\n  def sex\n    super.upcase\n  end\n", True),  # its own, which runs the serializer's through `super`
    ("sex:", "\n  def sex\n    super.upcase\n  end\n", True),
], ids=["shorthand", "shorthand-own", "own-calls-super", "shorthand-own-calls-super"])
def test_rb_a_pairs_value_and_the_classs_own_method(tmp_path, pair: str, own: str, trail: bool) -> None:
    importer = (f"class CreateFromApply < Api::TraineeSerializer\n  def mapped_attributes\n    {{ first_names: raw[\"first_name\"], {pair} }}\n"
                f"  end\n{own}end\n")
    found = _importer_change(tmp_path, importer)
    assert [(p, line) for p, line, *_ in found] == ([(_SERIALIZER_PATH, 8)] if trail else [])


# --- A job board's API route named `job` serves postings: no job folder ----------------------------

_POSTING = ('import { db } from "@/db"\n\nexport async function GET(req: Request, { params }: { params: { id: string } }) {\n'
            '  const posting = await db.posting.findUnique({ where: { id: params.id } })\n  return Response.json(posting)\n}\n')
_APPLY = ('import { db } from "@/db"\n\nexport async function POST(req: Request) {\n  const form = await req.json()\n'
          '  const application = await db.application.create({ data: form })\n  return Response.json(application)\n}\n')


@pytest.mark.parametrize(("path", "source"), [("app/api/job/[id]/route.ts", _POSTING), ("src/app/api/job/apply/route.ts", _APPLY),
                                              ("pages/api/job/[id].ts", _POSTING)])
def test_js_a_job_boards_route_is_not_a_job_folder(tmp_path, path: str, source: str) -> None:
    # 29ef386 read every file under `api/job/` as a job's, whole: a job board's posting and
    # application routes import their database, not the application's jobs.
    found = _found(tmp_path, {path: source}, {path: source.replace("return Response.json(", "return Response.json(await ")})
    assert found == []


@pytest.mark.parametrize("schedule", [
    "export const schedule = sql`select cron.schedule('drain', '5 seconds', ${command})`;\n",
    "export const schedule = () => db.query(\"select cron.schedule($1, $2, $3)\", [\"drain\", \"5 seconds\", command]);\n",
], ids=["substituted", "bind-parameter"])
def test_dc716_the_command_a_schedule_takes_by_name(tmp_path, schedule: str) -> None:
    # The scheduled command is a constant of its own, handed to `cron.schedule`: it is job SQL,
    # and so is the function it calls.
    source = (f'import {{ sql }} from "drizzle-orm";\n\nexport const endpoint = sql.raw(`{_ENDPOINT}`);\n'
              "const command = \"select call_job_endpoint('drain')\";\n" + schedule)
    found = _timeout_changed(tmp_path, "db/lib/cronUtils.ts", source)
    assert [(p, line) for p, line, *_ in found] == [("db/lib/cronUtils.ts", 5)]
    assert "it is `command`, which the job SQL" in found[0][4]


def test_js_a_job_route_a_cron_calls_with_get_is_still_a_job_folder(tmp_path) -> None:
    # A Vercel cron calls its route with a GET: importing the jobs is what shows it runs them.
    route = ('import { cronJobs } from "@/jobs";\n\nexport async function GET() {\n  const due = await dueJobs();\n'
             "  await Promise.all(due.map((job) => cronJobs[job.name](job)));\n  return new Response(\"ok\");\n}\n")
    path = "app/api/job/route.ts"
    found = _found(tmp_path, {path: route}, {path: route.replace("dueJobs()", "dueJobs({ limit: 10 })")})
    assert [(p, line) for p, line, *_ in found] == [(path, 4)]
