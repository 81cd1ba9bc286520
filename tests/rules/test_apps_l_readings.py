"""Readings from the held-out sample apps-l (session 19): each test fails without its change.
Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from deploycheck.analysis.pipeline import analyse
from support.scanning import flagged_on_branch as _found
from support.gitrepo import make_branch, make_repo

# --- A Java method too common to follow by name is followed through the files naming its types ---

_IFACE = ("package pay.service;\n\npublic interface ITransferService {\n"
          "    RetMsg query(TransferOrder order);\n}\n")
_WXPAY = ("package pay.channel;\n\nimport pay.service.ITransferService;\n\n"
          "public class WxpayTransferService implements ITransferService {\n"
          "    @Override\n    public RetMsg query(TransferOrder order) {\n"
          "        String state = client.bills(order.getId()).getState();\n"
          "        return RetMsg.of(state);\n    }\n}\n")
_WXPAY_PATH = "pay/src/main/java/pay/channel/WxpayTransferService.java"
_WXPAY_HEAD = _WXPAY.replace("return RetMsg.of(state);", 'return "FAIL".equals(state) ? RetMsg.failed() : RetMsg.of(state);')
_TASK = ("package pay.task;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
         "public class TransferReissueTask {\n    @Scheduled(cron = \"0 0/1 * * * ?\")\n    public void start() {\n"
         "        for (TransferOrder order : pending()) {\n"
         "            ITransferService service = beans.get(order.getIfCode());\n"
         "            service.query(order);\n        }\n    }\n}\n")
_TASK_PATH = "pay/src/main/java/pay/task/TransferReissueTask.java"
# More files than the search follows hold `query`: report services, mappers and clients.
_COMMON = {f"app/src/main/java/app/report/Report{i}.java":
           f"package app.report;\n\npublic class Report{i} {{\n    public Rows query(String sql) {{\n        return db.rows(sql);\n    }}\n}}\n"
           for i in range(30)}


def _typed(tmp_path, task: str, extra: dict | None = None) -> list[tuple]:
    main = {**_COMMON, "pay/src/main/java/pay/service/ITransferService.java": _IFACE, _WXPAY_PATH: _WXPAY,
            _TASK_PATH: task, **(extra or {})}
    return _found(tmp_path, main, {_WXPAY_PATH: _WXPAY_HEAD})


def test_java_a_common_method_name_is_followed_through_files_naming_its_interface(tmp_path) -> None:
    # jeepay's per-minute transfer reissue task calls the WeChat transfer service's `query` on an
    # `ITransferService`: 82 files hold `query`, a handful name the interface.
    found = _typed(tmp_path, _TASK)
    assert [(p, line) for p, line, *_ in found] == [(_WXPAY_PATH, 9)]
    assert "TransferReissueTask.java:10" in found[0][4]


def test_java_a_common_method_called_on_an_unrelated_type_is_no_trail(tmp_path) -> None:
    # The task names the interface (an import), but calls `query` on a report of its own.
    task = _TASK.replace("ITransferService service = beans.get(order.getIfCode());",
                         "Report1 service = reports.first(); ITransferService unused = null;")
    assert _typed(tmp_path, task) == []


def test_java_a_common_method_name_not_found_says_what_was_searched(tmp_path) -> None:
    # No job calls it: the note says which files the search read, and what it cannot see.
    task = _TASK.replace("service.query(order);", "service.cancel(order);")
    found = _found(tmp_path, {**_COMMON, "pay/src/main/java/pay/service/ITransferService.java": _IFACE,
                              _WXPAY_PATH: _WXPAY, _TASK_PATH: task}, {_WXPAY_PATH: _WXPAY_HEAD}, rule=None)
    assert found == []
    repo = make_repo(tmp_path / "note", {**_COMMON, "pay/src/main/java/pay/service/ITransferService.java": _IFACE,
                                         _WXPAY_PATH: _WXPAY, _TASK_PATH: task})
    make_branch(repo, "work", {_WXPAY_PATH: _WXPAY_HEAD})
    notes = [f.message for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701"]
    assert len(notes) == 1
    assert "the 2 files that also name `WxpayTransferService` or `ITransferService` were searched" in notes[0]
    assert "a caller that names neither" in notes[0]


def test_java_a_library_supertype_does_not_widen_the_search(tmp_path) -> None:
    # `Serializable` is the JDK's: every file naming it and `query` would be searched, so only
    # the repository's own types are asked about; a caller naming only the JDK type is not seen.
    wxpay = _WXPAY.replace("implements ITransferService", "implements ITransferService, java.io.Serializable")
    task = _TASK.replace("ITransferService service", "java.io.Serializable holder = null; WxpayTransferService service")
    main = {**_COMMON, "pay/src/main/java/pay/service/ITransferService.java": _IFACE, _WXPAY_PATH: wxpay, _TASK_PATH: task}
    found = _found(tmp_path, main, {_WXPAY_PATH: wxpay.replace("return RetMsg.of(state);", "return RetMsg.failed();")})
    assert [(p, line) for p, line, *_ in found] == [(_WXPAY_PATH, 9)]


# --- A JS/TS API route named `job` runs the jobs posted to it ---------------------------------------

_ROUTE = ('import { waitUntil } from "@vercel/functions";\nimport { db } from "@/db/client";\n'
          'import { cronJobs } from "@/jobs";\n\n'
          "export const POST = async (request: Request) => {\n  const data = await request.json();\n"
          "  const run = await db.query.jobRuns.findFirst({ where: { id: data.jobRunId } });\n"
          "  waitUntil(cronJobs[data.job](run));\n  return new Response(\"ok\");\n};\n")
_ROUTE_HEAD = _ROUTE.replace("  const run = await db.query.jobRuns.findFirst({ where: { id: data.jobRunId } });\n",
                             "  const run = data.jobRunId\n    ? await db.query.jobRuns.findFirst({ where: { id: data.jobRunId } })\n"
                             "    : await db.insert(jobRuns).values({ job: data.job }).returning();\n")


@pytest.mark.parametrize("folder", ["app/api/job", "src/app/api/job/[name]"])
def test_js_the_api_route_named_job_is_background_code_whole(tmp_path, folder: str) -> None:
    # helper's `app/api/job/route.ts`, which the database's queue drainer posts each job to: it
    # defers work (`waitUntil`), and yet all of it runs per job.
    path = f"{folder}/route.ts"
    found = _found(tmp_path, {path: _ROUTE}, {path: _ROUTE_HEAD})
    assert [(p, line) for p, line, *_ in found] == [(path, 7)]
    assert "job folder `job/`" in found[0][4]


@pytest.mark.parametrize("path", ["app/api/user/route.ts", "app/job/route.ts"])
def test_js_another_route_or_a_page_folder_named_job_is_not(tmp_path, path: str) -> None:
    # Only the deferred work itself is background code there; the changed lookup is not.
    found = _found(tmp_path, {path: _ROUTE}, {path: _ROUTE_HEAD})
    assert [line for _p, line, *_ in found if line in (7, 8, 9)] == []


# --- A Ruby private method is reached only by a bare or `self.` call ------------------------------

_COMPONENT = ("module NDS\n  class StackComponent < BaseComponent\n    def initialize(align: :start)\n"
              "      @align = normalize(align)\n    end\n\n    private\n\n    def normalize(value)\n"
              "      value.to_s\n    end\n  end\nend\n")
_COMPONENT_PATH = "app/components/nds/stack_component.rb"
_OPT_OUT = ("class PhoneNumberOptOut < ApplicationRecord\n  def self.normalize(phone)\n    phone.gsub(/\\D/, '')\n  end\n\n"
            "  def formatted_phone\n    {CALL}\n  end\nend\n")
_NOTIFY_JOB = ("class SendNotificationJob < ApplicationJob\n  def perform(opt_out)\n    deliver(opt_out.formatted_phone)\n"
               "  end\nend\n")


_PRIVATE_FORMS = [_COMPONENT, _COMPONENT.replace("    private\n\n    def normalize", "    private def normalize"),
                  _COMPONENT.replace("    private\n\n", "").replace("      value.to_s\n    end\n", "      value.to_s\n    end\n    private :normalize\n")]


def _private_change(tmp_path, call: str, component: str = _COMPONENT) -> list[tuple]:
    main = {_COMPONENT_PATH: component, "app/models/phone_number_opt_out.rb": _OPT_OUT.replace("{CALL}", call),
            "app/jobs/send_notification_job.rb": _NOTIFY_JOB}
    return _found(tmp_path, main, {_COMPONENT_PATH: component.replace("      value.to_s\n", "      value.to_s.tr('_', '-')\n")})


def _changed_line(component: str) -> int:
    return component.splitlines().index("      value.to_s") + 1


@pytest.mark.parametrize("component", _PRIVATE_FORMS)
@pytest.mark.parametrize("call", ["self.class.normalize(phone)", "PhoneFormatter.normalize(phone)",
                                  "formatter.normalize(phone)"])
def test_rb_a_call_on_a_receiver_is_no_trail_to_a_private_method(tmp_path, call: str, component: str) -> None:
    # identity-idp's new layout components: their private `normalize` is no method the opt-out's
    # `formatted_phone` (which a job runs) can call, through its class or any other receiver.
    assert _private_change(tmp_path, call, component) == []


@pytest.mark.parametrize("component", _PRIVATE_FORMS)
@pytest.mark.parametrize("call", ["normalize(phone)", "self.normalize(phone)"])
def test_rb_a_bare_or_self_call_keeps_the_trail_to_a_private_method(tmp_path, call: str, component: str) -> None:
    # A subclass or a module's includer calls it bare (or on `self`): that may be a trail.
    found = _private_change(tmp_path, call, component)
    assert [(p, line) for p, line, *_ in found] == [(_COMPONENT_PATH, _changed_line(component))]


def test_rb_a_call_on_self_class_is_no_trail_to_an_instance_method(tmp_path) -> None:
    # A plain class's instance method: `self.class.normalize` calls the class's method instead.
    plain = _COMPONENT.replace(" < BaseComponent", "").replace("    private\n\n", "")
    assert _private_change(tmp_path / "class", "self.class.normalize(phone)", plain) == []
    found = _private_change(tmp_path / "object", "normalizer.normalize(phone)", plain)
    assert [(p, line) for p, line, *_ in found] == [(_COMPONENT_PATH, _changed_line(plain))]


# --- A JVM package named `doc` is code, not documentation -----------------------------------------

_DOC_JOB = ("package org.dromara.common.doc.handler;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
            "public class OpenApiRefresher {\n    @Scheduled(fixedDelay = 60000)\n    public void refresh() {\n"
            "        cache.put(\"paths\", reader.paths());\n    }\n}\n")


@pytest.mark.parametrize("folder", ["doc", "docs"])
def test_java_a_package_named_doc_below_the_source_set_is_read_as_code(tmp_path, folder: str) -> None:
    # RuoYi-Vue-Plus's API-docs module: `…/common/doc/handler/` is a package; the file was taken
    # for documentation and reported as not analysed (DC001 high) on a refactor.
    path = f"ruoyi-common/ruoyi-common-doc/src/main/java/org/dromara/common/{folder}/handler/OpenApiRefresher.java"
    head = _DOC_JOB.replace("reader.paths()", "reader.paths(true)")
    found = _found(tmp_path, {path: _DOC_JOB}, {path: head}, rule=None)
    assert [(p, line) for p, line, *_ in found] == [(path, 8)]
    assert "@Scheduled method" in found[0][4]  # read as a job's code (DC701), not reported unread (DC001)


def test_docs_outside_a_source_set_stay_documentation() -> None:
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc("docs/examples/src/main/java/Example.java")
    assert is_test_or_doc("doc/src/main/java/Example.java")
    assert not is_test_or_doc("app/src/main/kotlin/org/x/docs/Api.kt")
    assert not is_test_or_doc("docs/docs.go")


# --- A script's function called at its top level is handed out to no other module ---------------

_LOCK_SCRIPT = ('#!/usr/bin/env node\nimport { mkdirSync } from "node:fs"\n\nfunction sleep(ms) {\n'
                "  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)\n}\n\n"
                "let owned = false\nwhile (!owned) {\n  try {\n    mkdirSync(lockPath)\n    owned = true\n"
                "  } catch {\n    sleep(500)\n  }\n}\n")
_RETRY_WORKER = ('import { Worker } from "bullmq"\nimport { sleep } from "@repo/utils"\n\n'
                 'export const worker = new Worker("retries", async (job) => {\n  await sleep(job.data.delay)\n})\n')


@pytest.mark.parametrize("exported", [False, True])
def test_js_a_scripts_own_function_called_at_its_top_level_stays_its_own(tmp_path, exported: bool) -> None:
    # latitude's build-lock script: its `sleep` is called in its top-level loop, and a worker
    # calls another `sleep` (a package's). Exported, it might be the worker's: a trail.
    script = _LOCK_SCRIPT + ("export { sleep }\n" if exported else "")
    path = "scripts/ensure-built.mjs"
    found = _found(tmp_path, {path: script, "apps/workers/src/retry.ts": _RETRY_WORKER},
                   {path: script.replace("0, 0, ms)", "0, 0, Math.max(ms, 1))")})
    assert [(p, line) for p, line, *_ in found] == ([(path, 5)] if exported else [])


# --- A Ruby class's bare call of its own method, as a hash pair's value ---------------------------

_SERIALIZER = ("module Api\n  class TraineeSerializer\n    def initialize(trainee)\n      @trainee = trainee\n    end\n\n"
               "    def sex\n      SEXES.hesa_code_for(@trainee.sex)\n    end\n  end\nend\n")
_IMPORTER = ("class CreateFromApply\n  def mapped_attributes\n    {\n      first_names: raw[\"first_name\"],\n"
             "      sex: sex,\n    }\n  end\n{OWN}end\n")
_IMPORT_JOB = "class CreateFromApplicationJob < ApplicationJob\n  def perform(importer)\n    importer.mapped_attributes\n  end\nend\n"


@pytest.mark.parametrize("own", [True, False])
def test_rb_a_pairs_value_calls_the_classs_own_method(tmp_path, own: bool) -> None:
    # register-trainee-teachers' apply importer maps `sex: sex` with its own `sex`, not the API
    # serializer's; without its own, the call may be the serializer's: a trail.
    importer = _IMPORTER.replace("{OWN}", "\n  def sex\n    GENDERS[raw[\"gender\"]]\n  end\n" if own else "")
    path = "app/serializers/api/trainee_serializer.rb"
    found = _found(tmp_path, {path: _SERIALIZER, "app/services/create_from_apply.rb": importer,
                              "app/jobs/create_from_application_job.rb": _IMPORT_JOB},
                   {path: _SERIALIZER.replace("@trainee.sex)", "Trainee.sexes[@trainee.sex])")})
    assert [(p, line) for p, line, *_ in found] == ([] if own else [(path, 8)])


# --- A Java static method is called on its class, not on another type or a foreign variable -------

_TENANT = ("package org.app.tenant;\n\npublic class TenantHelper {\n    public static String getTenantId() {\n"
           "        return LoginHelper.isLogin() ? LoginHelper.tenant() : null;\n    }\n}\n")
_TENANT_PATH = "common/src/main/java/org/app/tenant/TenantHelper.java"
_EVENT = "package org.app.log;\n\n@lombok.Data\npublic class LoginEvent {\n    private String tenantId;\n}\n"
_LISTENER = ("package org.app.log;\n\nimport org.springframework.scheduling.annotation.Async;\n"
             "import org.app.tenant.OtherHelper;\nimport org.app.tenant.TenantHelper;\n\n"
             "public class LoginLogListener {\n    @Async\n    public void record(LoginEvent event) {\n"
             "        log.setTenantId({CALL});\n    }\n}\n")


@pytest.mark.parametrize(("call", "trail"), [("event.getTenantId()", False), ("OtherHelper.getTenantId()", False),
                                             ("TenantHelper.getTenantId()", True), ("getTenantId()", True)])
def test_java_a_static_method_is_reached_only_through_its_class(tmp_path, call: str, trail: bool) -> None:
    # RuoYi-Vue-Plus's login-log listener reads its event's Lombok getter, which no file declares;
    # the tenant helper's static `getTenantId` is not it.
    main = {_TENANT_PATH: _TENANT, "system/src/main/java/org/app/log/LoginEvent.java": _EVENT,
            "common/src/main/java/org/app/tenant/OtherHelper.java": "package org.app.tenant;\n\npublic class OtherHelper {\n}\n",
            "system/src/main/java/org/app/log/LoginLogListener.java": _LISTENER.replace("{CALL}", call)}
    found = _found(tmp_path, main, {_TENANT_PATH: _TENANT.replace("? LoginHelper.tenant()", "? LoginHelper.tenant().trim()")})
    assert [(p, line) for p, line, *_ in found] == ([(_TENANT_PATH, 5)] if trail else [])
    assert not trail or "LoginLogListener.java:10" in found[0][4]


# --- A JS/TS constant made by a call handed a function is called by its name --------------------

_USE_CASE = ('import { Effect } from "effect"\n\nexport const enrichUseCase = Effect.fn("enrich")(function* (input) {\n'
             "  const score = yield* loadScore(input.id)\n  return yield* callModel(score.feedback)\n})\n")
_USE_CASE_PATH = "packages/domain/src/use-cases/enrich.ts"
_ENRICH_WORKER = ('import { Worker } from "bullmq"\nimport { enrichUseCase } from "@app/domain"\n\n'
                  'export const worker = new Worker("enrich", async (job) => {\n  await run({CALL})\n})\n')


@pytest.mark.parametrize(("call", "trail"), [("enrichUseCase(job.data)", True), ("other(job.data)", False)])
def test_js_a_constant_wrapping_a_function_is_followed_by_its_name(tmp_path, call: str, trail: bool) -> None:
    # latitude's annotation use cases are `Effect.fn(…)(function* …)`: a workflow's activity calls
    # them by the constant's name; nothing did follow it before.
    head = _USE_CASE.replace("  return yield* callModel(score.feedback)\n",
                             "  if (score.system) return score.feedback\n  return yield* callModel(score.feedback)\n")
    found = _found(tmp_path, {_USE_CASE_PATH: _USE_CASE, "apps/workers/src/enrich.ts": _ENRICH_WORKER.replace("{CALL}", call)},
                   {_USE_CASE_PATH: head})
    assert [(p, line) for p, line, *_ in found] == ([(_USE_CASE_PATH, 5)] if trail else [])


# --- A Java `@Override` of a generic name is followed through the files naming its types --------

_STATE_IFACE = "package org.flow.core;\n\npublic interface TriggerState {\n    Trigger update(Trigger trigger);\n}\n"
_JDBC_STATE = ("package org.flow.jdbc;\n\nimport org.flow.core.TriggerState;\n\n"
               "public class JdbcTriggerState implements TriggerState {\n    @Override\n"
               "    public Trigger update(Trigger trigger) {\n        return repository.save(trigger);\n    }\n}\n")
_JDBC_STATE_PATH = "jdbc/src/main/java/org/flow/jdbc/JdbcTriggerState.java"
_JDBC_STATE_HEAD = _JDBC_STATE.replace("        return repository.save(trigger);\n",
                                       "        Trigger stored = repository.find(trigger.uid());\n"
                                       "        return repository.save(trigger.withDisabled(stored.disabled()));\n")
_SCHEDULER = ("package org.flow.core.schedulers;\n\nimport org.flow.core.TriggerState;\n"
              "import org.springframework.scheduling.annotation.Scheduled;\n\npublic class Scheduler {\n"
              "    private final TriggerState triggerState;\n    private final Cache cache;\n\n"
              "    @Scheduled(fixedDelay = 1000)\n    void evaluate() {\n        {CALL}\n    }\n}\n")


@pytest.mark.parametrize(("call", "override", "trail"), [
    ("this.triggerState.update(next());", True, True),
    ("this.cache.update(next());", True, False),
    ("this.triggerState.update(next());", False, False)])
def test_java_an_override_of_a_generic_name_is_followed_through_its_types(tmp_path, call: str, override: bool,
                                                                          trail: bool) -> None:
    # kestra's scheduler calls its trigger state's `update`, which the JDBC state now rereads
    # before saving; `update` is too generic a name to follow through every file.
    state = _JDBC_STATE if override else _JDBC_STATE.replace("    @Override\n", "")
    head = _JDBC_STATE_HEAD if override else _JDBC_STATE_HEAD.replace("    @Override\n", "")
    main = {"core/src/main/java/org/flow/core/TriggerState.java": _STATE_IFACE, _JDBC_STATE_PATH: state,
            "core/src/main/java/org/flow/core/schedulers/Cache.java": "package org.flow.core.schedulers;\n\npublic class Cache {\n}\n",
            "core/src/main/java/org/flow/core/schedulers/Scheduler.java": _SCHEDULER.replace("{CALL}", call)}
    found = _found(tmp_path, main, {_JDBC_STATE_PATH: head})
    line = 8 if override else 7
    assert [(p, n) for p, n, *_ in found] == ([(_JDBC_STATE_PATH, line)] if trail else [])


# --- A Ruby class too common to follow alone is looked for with its module's name ---------------

_CREATE = ("module IntegrationCustomers\n  class CreateService < BaseService\n    def call\n"
           "      customer = IntegrationCustomer.create!(params)\n      result.integration_customer = customer\n"
           "      result\n    end\n  end\nend\n")
_CREATE_PATH = "app/services/integration_customers/create_service.rb"
_CREATE_HEAD = _CREATE.replace("      result\n    end", "      customer.update!(is_default: first_for_category?(customer))\n      result\n    end")
_OTHER_CREATES = {f"app/services/area{i}/create_service.rb": f"module Area{i}\n  class CreateService < BaseService\n    def call\n"
                  "      Record.create!(params)\n    end\n  end\nend\n" for i in range(30)}
_CREATE_JOB = ("module IntegrationCustomers\n  class CreateJob < ApplicationJob\n    def perform(params)\n"
               "      {CALL}\n    end\n  end\nend\n")


@pytest.mark.parametrize(("call", "trail"), [("IntegrationCustomers::CreateService.call!(params: params)", True),
                                             ("CreateService.call!(params: params)", True),
                                             ("Area1::CreateService.call!(params: params)", False)])
def test_rb_a_common_class_name_is_followed_with_its_modules_name(tmp_path, call: str, trail: bool) -> None:
    # lago's integration-customer create service, one of hundreds of `CreateService`s, is run by its
    # module's create job; the class's name alone is too common to follow.
    job = _CREATE_JOB.replace("{CALL}", call)
    if not trail:
        job = job.replace("module IntegrationCustomers", "module Area1")
    main = {**_OTHER_CREATES, _CREATE_PATH: _CREATE, "app/jobs/integration_customers/create_job.rb": job}
    found = _found(tmp_path, main, {_CREATE_PATH: _CREATE_HEAD})
    assert [(p, line) for p, line, *_ in found] == ([(_CREATE_PATH, 6)] if trail else [])


def test_tsx_a_wrapped_component_is_not_followed_as_a_function(tmp_path) -> None:
    # In a TSX file such constants are a page's components (`memo(() => …)`): following them
    # through every page that names them spent seerr's search budget ("maybe reached").
    path = "src/components/Enrich.tsx"
    source = _USE_CASE.replace('Effect.fn("enrich")', "memo")
    head = source.replace("  return yield* callModel(score.feedback)\n",
                          "  if (score.system) return score.feedback\n  return yield* callModel(score.feedback)\n")
    found = _found(tmp_path, {path: source, "apps/workers/src/enrich.ts": _ENRICH_WORKER.replace("{CALL}", "enrichUseCase(job.data)")},
                   {path: head})
    assert found == []


def test_java_an_override_of_a_library_types_method_is_not_followed(tmp_path) -> None:
    # RuoYi's user entity overrides `toString`; its async log task calls `toString` on a
    # `StringBuilder` in a file that names the entity: no trail, whatever the receiver's type.
    entity = ("package org.app.domain;\n\npublic class SysUser extends BaseEntity {\n    private String name;\n\n"
              "    @Override\n    public String toString() {\n        return \"SysUser{\" + name + \"}\";\n    }\n}\n")
    base = "package org.app.domain;\n\npublic class BaseEntity implements java.io.Serializable {\n    private Long id;\n}\n"
    task = ("package org.app.tasks;\n\nimport org.app.domain.SysUser;\nimport org.springframework.scheduling.annotation.Async;\n\n"
            "public class LogTask {\n    @Async\n    public void record(SysUser user) {\n"
            "        StringBuilder s = new StringBuilder();\n        log.info(s.toString());\n    }\n}\n")
    path = "common/src/main/java/org/app/domain/SysUser.java"
    found = _found(tmp_path, {path: entity, "common/src/main/java/org/app/domain/BaseEntity.java": base,
                              "framework/src/main/java/org/app/tasks/LogTask.java": task},
                   {path: entity.replace('"SysUser{" + name', '"SysUser{name=" + name')})
    assert found == []


_SETTING_IFACE = "package org.app.service;\n\npublic interface SettingService extends IService<Setting> {\n    boolean update(Setting setting);\n}\n"
_SETTING_IMPL = ("package org.app.service.impl;\n\nimport com.baomidou.mybatisplus.extension.service.impl.ServiceImpl;\n"
                 "import org.app.service.SettingService;\n\n"
                 "public class SettingServiceImpl extends ServiceImpl<SettingMapper, Setting> implements SettingService {\n"
                 "    @Override\n    public boolean update(Setting setting) {\n        return updateById(setting);\n    }\n}\n")
_SETTING_PATH = "console/src/main/java/org/app/service/impl/SettingServiceImpl.java"
_SAVEPOINT = ("package org.app.service.impl;\n\nimport org.app.service.ApplicationManageService;\nimport org.app.service.SettingService;\n"
              "import org.springframework.scheduling.annotation.Async;\n\n"
              "public class SavepointService {\n    private ApplicationManageService applicationManageService;\n"
              "    private SettingService settingService;\n\n    @Async\n    public void trigger(Application application) {\n"
              "        {CALL}\n    }\n}\n")


@pytest.mark.parametrize(("call", "trail"), [("applicationManageService.update(application);", False),
                                             ("settingService.update(application.setting());", True)])
def test_java_a_library_supertype_cannot_make_a_repository_type_hold_the_class(tmp_path, call: str, trail: bool) -> None:
    # streampark's settings service extends MyBatis-Plus's `ServiceImpl`: a library type, which
    # cannot extend the application's `ApplicationManageService`, so a call on one is no trail.
    main = {"console/src/main/java/org/app/service/SettingService.java": _SETTING_IFACE, _SETTING_PATH: _SETTING_IMPL,
            "console/src/main/java/org/app/service/ApplicationManageService.java":
                "package org.app.service;\n\npublic interface ApplicationManageService {\n    boolean update(Application app);\n}\n",
            "console/src/main/java/org/app/service/impl/SavepointService.java": _SAVEPOINT.replace("{CALL}", call)}
    found = _found(tmp_path, main, {_SETTING_PATH: _SETTING_IMPL.replace("return updateById(setting);", "return setting.valid() && updateById(setting);")})
    assert [(p, line) for p, line, *_ in found] == ([(_SETTING_PATH, 9)] if trail else [])


# --- A Rails component's or mailer's preview is a developer's page, not production code -----------

@pytest.mark.parametrize("path", ["app/components/alerts/wrapper/component_preview.rb",
                                  "app/components/alerts/card_component_preview.rb",
                                  "test/mailers/previews/user_mailer_preview.rb"])
def test_rb_a_preview_is_no_step_of_a_trail_and_no_unread_code(tmp_path, path: str) -> None:
    # bike_index's wrapper preview renders the unfinished-registration component from a method
    # named like an enum scope the alert job calls: a false trail through a developer's page.
    preview = ("class WrapperPreview < ViewComponent::Preview\n  def unfinished_registration\n"
               "    render(UnfinishedRegistration::Component.new(b_param: sample))\n  end\nend\n")
    component = ("module UnfinishedRegistration\n  class Component < ApplicationComponent\n    def call\n"
                 "      link_to(\"Finish\", path)\n    end\n  end\nend\n")
    job = "class AlertJob < ApplicationJob\n  def perform(user)\n    user.alerts.unfinished_registration.each(&:touch)\n  end\nend\n"
    cpath = "app/components/alerts/unfinished_registration/component.rb"
    found = _found(tmp_path, {path: preview, cpath: component, "app/jobs/alert_job.rb": job},
                   {cpath: component.replace('"Finish"', '"Finish registering"'), path: preview.replace("sample", "sample(1)")},
                   rule=None)
    assert found == []



@pytest.mark.parametrize("path", ["app/models/component_preview.rb", "app/jobs/components/previews/render_job.rb"])
def test_rb_a_model_or_job_named_like_a_preview_is_still_production_code(tmp_path, path: str) -> None:
    # Red team 19b: a `ComponentPreview` model's enqueue and a job under app/jobs/components/previews/
    # changed, and the scan said nothing was flagged.
    code = ("class ComponentPreview < ApplicationRecord\n  after_commit :render_later\n  def render_later\n"
            "    RenderJob.perform_later(id)\n  end\nend\n") if "models" in path else (
            "class RenderJob < ApplicationJob\n  queue_as :default\n  def perform(id)\n"
            "    ComponentPreview.find(id).render!\n  end\nend\n")
    head = code.replace("perform_later(id)", "set(wait: 5.minutes).perform_later(id, true)").replace(
        "render!", "render!(force: true)")
    found = _found(tmp_path, {path: code}, {path: head}, rule=None)
    assert found and {p for p, *_ in found} == {path}

# --- A Java Runnable kept in a variable and handed to a pool is a task ---------------------------

_CALCULATE = ("package org.alert.calculate;\n\npublic class CalculateAlarm {\n    private final WorkerPool workerPool;\n\n"
              "    public void startCalculate() {\n        Runnable runnable = () -> {\n"
              "            while (!Thread.currentThread().isInterrupted()) {\n                calculate(queue.poll());\n"
              "            }\n        };\n        {START}\n    }\n}\n")


@pytest.mark.parametrize(("start", "task"), [("workerPool.executeJob(runnable);", True),
                                             ("pool.submit(() -> 1, runnable);", True),
                                             ("runnable.run();", False)])
def test_java_a_runnable_variable_handed_to_a_call_is_a_task(tmp_path, start: str, task: bool) -> None:
    # hertzbeat's alarm calculation: three threads of its own pool run the same lambda, kept in a
    # `Runnable` and handed to `executeJob`, a name no executor reading knew.
    path = "alerter/src/main/java/org/alert/calculate/CalculateAlarm.java"
    source = _CALCULATE.replace("{START}", start)
    found = _found(tmp_path, {path: source}, {path: source.replace("calculate(queue.poll());", "calculate(queue.poll(), true);")})
    assert [(p, line) for p, line, *_ in found] == ([(path, 9)] if task else [])


# Red team 19b: the same task kept in a field used above it, named by a method reference, written
# in Kotlin, and only logged or compared.
_FIELD_TASK = ("package org.alert.calculate;\n\npublic class CalculateAlarm {\n    public void start() {\n"
               "        workerPool.executeJob(task);\n    }\n\n    private final Runnable task = () -> {\n"
               "        calculate(queue.poll());\n    };\n}\n")
_REF_TASK = ("package org.alert.calculate;\n\npublic class CalculateAlarm {\n    public void start() {\n"
             "        Runnable r = this::work;\n        {START}\n    }\n\n    private void work() {\n"
             "        calculate(queue.poll());\n    }\n}\n")
_KT_TASK = ("package org.alert.calculate\n\nclass CalculateAlarm {\n    fun start() {\n"
            "        val r = Runnable {\n            calculate(queue.poll())\n        }\n        {START}\n    }\n}\n")
_LOGGED_TASK = _CALCULATE.replace("{START}", 'log.info("made {}", runnable);\n        if (Objects.equals(runnable, last)) { runnable.run(); }')


@pytest.mark.parametrize(("path", "source", "line"), [
    ("src/main/java/org/alert/calculate/CalculateAlarm.java", _FIELD_TASK, 9),
    ("src/main/java/org/alert/calculate/CalculateAlarm.java", _REF_TASK.replace("{START}", "workerPool.executeJob(r);"), 10),
    ("src/main/java/org/alert/calculate/CalculateAlarm.java", _REF_TASK.replace("{START}", "r.run();"), None),
    ("src/main/kotlin/org/alert/calculate/CalculateAlarm.kt", _KT_TASK.replace("{START}", "workerPool.executeJob(r)"), 6),
    ("src/main/kotlin/org/alert/calculate/CalculateAlarm.kt", _KT_TASK.replace("{START}", "r.run()"), None),
    ("src/main/java/org/alert/calculate/CalculateAlarm.java", _LOGGED_TASK, None),
])
def test_jvm_a_runnable_handed_on_from_a_field_a_method_reference_or_kotlin(tmp_path, path: str, source: str, line) -> None:
    head = source.replace("calculate(queue.poll())", "calculate(queue.poll(), true)")
    found = _found(tmp_path, {path: source}, {path: head})
    assert [(p, n) for p, n, *_ in found] == ([(path, line)] if line else [])


# Red team 19b: an @Override of a generic name whose interface the repository declares where it
# cannot be read (in Kotlin; under a name more files declare than are read) is still followed.
_REPO_IMPL = ("package app.store;\n\npublic class RepoImpl implements Repo {\n    @Override\n"
              "    public void update(String key) {\n        db.write(key, 1);\n    }\n}\n")
_REPO_JOB = ("package app.job;\n\nimport app.store.Repo;\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
             "public class SyncJob {\n    private Repo repo;\n\n    @Scheduled(fixedRate = 1000)\n"
             "    public void sync() {\n        repo.update(\"k\");\n    }\n}\n")
_UPDATES = {f"app/src/main/java/app/report/R{i}.java":
            f"package app.report;\n\npublic class R{i} {{\n    public void update(String s) {{\n        x(s);\n    }}\n}}\n"
            for i in range(30)}


@pytest.mark.parametrize("declared", [
    {"app/src/main/kotlin/app/store/Repo.kt": "package app.store\n\ninterface Repo {\n    fun update(key: String)\n}\n"},
    {**{f"m{i}/src/main/java/m{i}/Repo.java": f"package m{i};\n\npublic interface Repo {{\n    void close();\n}}\n" for i in range(13)},
     "app/src/main/java/app/store/Repo.java": "package app.store;\n\npublic interface Repo {\n    void update(String key);\n}\n"},
], ids=["kotlin-interface", "name-declared-in-many-files"])
def test_java_a_generic_override_under_an_unread_declared_type_is_followed(tmp_path, declared: dict) -> None:
    path = "app/src/main/java/app/store/RepoImpl.java"
    found = _found(tmp_path, {**_UPDATES, **declared, path: _REPO_IMPL, "app/src/main/java/app/job/SyncJob.java": _REPO_JOB},
                   {path: _REPO_IMPL.replace("write(key, 1)", "write(key, 2)")})
    assert [(p, line) for p, line, *_ in found] == [(path, 6)]


def test_java_a_library_type_named_like_a_repository_type_may_hold_the_owner(tmp_path) -> None:
    # Red team 19b: the job's variable is MyBatis-Plus's `IService` (imported), the repository
    # declares an `IService` of its own: the library supertype `ServiceImpl` is no dead end then.
    path = "app/src/main/java/app/setting/SettingServiceImpl.java"
    owner = ("package app.setting;\n\nimport com.baomidou.mybatisplus.extension.service.impl.ServiceImpl;\n\n"
             "public class SettingServiceImpl extends ServiceImpl<SettingMapper, Setting> {\n    @Override\n"
             "    public boolean updateById(Setting setting) {\n        cache.evict(setting.getKey());\n"
             "        return super.updateById(setting);\n    }\n}\n")
    job = ("package app.job;\n\nimport com.baomidou.mybatisplus.extension.service.IService;\n"
           "import org.springframework.scheduling.annotation.Scheduled;\n\npublic class SettingJob {\n"
           "    private IService<Setting> settings;\n\n    @Scheduled(fixedRate = 1000)\n    public void refresh() {\n"
           "        settings.updateById(next());\n    }\n}\n")
    main = {"app/src/main/java/app/core/IService.java": "package app.core;\n\npublic interface IService {\n    void ping();\n}\n",
            path: owner, "app/src/main/java/app/job/SettingJob.java": job}
    found = _found(tmp_path, main, {path: owner.replace("cache.evict(setting.getKey());", "cache.clear();")})
    assert [(p, line) for p, line, *_ in found] == [(path, 8)]
    # The repository's own `IService`, imported from its package, still cannot hold it.
    own = job.replace("com.baomidou.mybatisplus.extension.service.IService", "app.core.IService").replace("IService<Setting>", "IService")
    assert _found(tmp_path / "own", {**main, "app/src/main/java/app/job/SettingJob.java": own},
                  {path: owner.replace("cache.evict(setting.getKey());", "cache.clear();")}) == []


@pytest.mark.parametrize("typed", ['Effect.fn("enrich")(function* (input) {BODY}) as Handler',
                                   'Effect.fn("enrich")(function* (input) {BODY}) satisfies Handler',
                                   '(function* (input) {BODY}) as Handler'])
def test_ts_a_function_constant_under_a_type_assertion_is_followed(tmp_path, typed: str) -> None:
    # Red team 19b: `as Handler` or `satisfies Handler` around the wrapped function hid it.
    body = "\n  const score = yield* loadScore(input.id)\n  return yield* callModel(score.feedback)\n"
    source = 'import { Effect } from "effect"\n\nexport const enrichUseCase = ' + typed.replace("BODY", body) + "\n"
    head = source.replace("  return yield*", "  if (score.system) return score.feedback\n  return yield*")
    found = _found(tmp_path, {_USE_CASE_PATH: source, "apps/workers/src/enrich.ts": _ENRICH_WORKER.replace("{CALL}", "enrichUseCase(job.data)")},
                   {_USE_CASE_PATH: head})
    assert [(p, line) for p, line, *_ in found] == [(_USE_CASE_PATH, 5)]
