"""Red team of session 18's readings (the apps-k narrowings and widenings): each test fails without
its fix. Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.java_trails import CLIENT, SAVER_PATH, saver_change
from support.scanning import flagged_on_branch as _found


# --- A Java call on a receiver of another type: the subclasses and the declarations not seen -------

# The job calls `addResource` on a receiver of another type than the resource service: only a
# subclass of the service (which may implement `Resources`) or a declaration of `yarnconf` the
# reading misses lets the call reach the service, then the task saver that changed.
_RESOURCES = ("package shop.develop;\n\npublic interface Resources {\n    Catalogue addResource(ResourceDTO dto);\n}\n")
_CLIENT = CLIENT.replace("{INIT}", "make()")
_SAVER_PATH = SAVER_PATH


def _saver_change(tmp_path, client: str, extra: dict | None = None) -> list[tuple]:
    return saver_change(tmp_path, client, {"src/main/java/shop/develop/Resources.java": _RESOURCES, **(extra or {})})


_JAVA_SUB = "src/main/java/shop/develop/LocalResources.java"
_KOTLIN_SUB = "src/main/kotlin/shop/develop/LocalResources.kt"


@pytest.mark.parametrize(("path", "subclass"), [
    # `extends` at the end of one line, the class on the next (main reads it too since 1e345b1: a guard)
    (_JAVA_SUB, "package shop.develop;\n\npublic class LocalResources extends\n        ResourceService implements Resources {\n}\n"),
    # a comment or a type annotation between
    (_JAVA_SUB, "package shop.develop;\n\npublic class LocalResources extends /* local */ ResourceService implements Resources {\n}\n"),
    (_JAVA_SUB, "package shop.develop;\n\npublic class LocalResources extends @Managed ResourceService implements Resources {\n}\n"),
    # Kotlin: the class second in the supertype list, on its own line, or without a constructor
    # call (a class whose secondary constructor calls `super`)
    (_KOTLIN_SUB, "package shop.develop\n\nclass LocalResources : Resources, ResourceService()\n"),
    (_KOTLIN_SUB, "package shop.develop\n\nclass LocalResources(\n    val root: String,\n) : Resources,\n    ResourceService()\n"),
    (_KOTLIN_SUB, "package shop.develop\n\nclass LocalResources : ResourceService, Resources {\n    constructor() : super()\n}\n"),
    # an object expression, held by a variable of the interface's type (read before too: a guard)
    (_KOTLIN_SUB, "package shop.develop\n\nval localResources: Resources = object : ResourceService(), Resources {}\n"),
])
def test_java_a_subclass_declared_over_lines_or_in_kotlin_keeps_the_trail(tmp_path, path: str, subclass: str) -> None:
    found = _saver_change(tmp_path, _CLIENT.replace("{TYPE}", "Resources"), {path: subclass})
    assert [(p, line) for p, line, *_ in found] == [(_SAVER_PATH, 5)]


def test_java_a_kotlin_file_that_only_uses_the_class_is_no_subclass(tmp_path) -> None:
    # A parameter or a result of the class's type declares no subclass: the call on the other
    # type is still ruled out.
    user = ("package shop.develop\n\nfun copy(from: ResourceService, to: Resources): ResourceService {\n"
            "    return from\n}\n")
    assert _saver_change(tmp_path, _CLIENT.replace("{TYPE}", "YarnConfiguration"), {_KOTLIN_SUB: user}) == []


_FIELD_OTHER = _CLIENT.replace("{TYPE}", "YarnConfiguration")
_FIELD_OWNER = _CLIENT.replace("{TYPE}", "ResourceService")
_CALL = "yarnconf.addResource(path);"


@pytest.mark.parametrize(("client", "extra"), [
    # a pattern's variable hides the field of another type
    (_FIELD_OTHER.replace(_CALL, "if (source instanceof ResourceService yarnconf) {\n            yarnconf.addResource(path);\n        }"), None),
    (_FIELD_OTHER.replace(_CALL, "switch (source) {\n            case ResourceService yarnconf -> yarnconf.addResource(path);\n"
                                 "            default -> { }\n        }"), None),
    # a record's component hides it
    (_FIELD_OTHER.replace("    @Scheduled", "    record Holder(ResourceService yarnconf) {\n        void go() {\n"
                                             "            yarnconf.addResource(null);\n        }\n    }\n\n    @Scheduled")
     .replace(_CALL, "new Holder(service).go();"), None),
    # an anonymous subclass inherits a field of the name, which hides the outer class's
    (_FIELD_OTHER.replace(_CALL, "new Holder() {\n            void go() {\n                yarnconf.addResource(path);\n"
                                 "            }\n        }.go();"),
     {"src/main/java/shop/worker/Holder.java": "package shop.worker;\n\nimport shop.develop.ResourceService;\n\n"
                                               "public abstract class Holder {\n    protected ResourceService yarnconf;\n}\n"}),
    # an old-style switch: a declaration in an earlier group is in scope in the later ones
    (_FIELD_OTHER.replace(_CALL, "switch (kind) {\n            case 1:\n                ResourceService yarnconf = service;\n"
                                 "                break;\n            default:\n                yarnconf = service;\n"
                                 "                yarnconf.addResource(path);\n        }"), None),
    # `this.yarnconf` is the field, whatever local or parameter is named so
    (_FIELD_OWNER.replace(_CALL, "YarnConfiguration yarnconf = make();\n        this.yarnconf.addResource(path);"), None),
    (_FIELD_OWNER.replace("submit() {\n        " + _CALL, "submit(YarnConfiguration yarnconf) {\n        this.yarnconf.addResource(path);"), None),
])
def test_java_a_receiver_declared_otherwise_than_the_reading_saw_keeps_the_trail(tmp_path, client: str, extra) -> None:
    found = _saver_change(tmp_path, client, extra)
    assert [(p, line) for p, line, *_ in found] == [(_SAVER_PATH, 5)]


@pytest.mark.parametrize("client", [
    # a local of another type hides the field of the owner's
    _FIELD_OWNER.replace(_CALL, "YarnConfiguration yarnconf = make();\n        yarnconf.addResource(path);"),
    # a nested class of no supertype reads the outer class's field
    _FIELD_OTHER.replace("    @Scheduled", "    class Inner {\n        void go() {\n            yarnconf.addResource(null);\n"
                                             "        }\n    }\n\n    @Scheduled").replace(_CALL, "new Inner().go();"),
])
def test_java_a_receiver_declared_of_another_type_still_rules_the_call_out(tmp_path, client: str) -> None:
    assert _saver_change(tmp_path, client) == []


# --- Ruby: a call with another number of arguments that an override hands on ---------------------

_URLS = "class FileUrlService\n  def url(path)\n    base + \"/files/\" + path\n  end\nend\n"
_URLS_PATH = "app/services/file_url_service.rb"
_JOB = ("class LoginCodeJob < ApplicationJob\n  def perform(locale)\n    link = shared_service.{CALL}\n"
        "    deliver(link)\n  end\nend\n")


def _url_change(tmp_path, call: str, extra: dict) -> list[tuple]:
    main = {_URLS_PATH: _URLS, "app/jobs/login_code_job.rb": _JOB.replace("{CALL}", call), **extra}
    return _found(tmp_path, main, {_URLS_PATH: _URLS.replace("/files/", "/shared-files/")})


@pytest.mark.parametrize(("call", "override"), [
    # a subclass's `url` of no argument hands the file-URL service's its own
    ("url", {"app/services/shared_url_service.rb":
             "class SharedUrlService < FileUrlService\n  def url\n    super(\"shared\")\n  end\nend\n"}),
    # a prepended module's `url` of two
    ("url(locale, :short)", {"config/initializers/url_patch.rb":
                             "module UrlPatch\n  def url(locale, length)\n    super(locale.to_s)\n  end\nend\n\n"
                             "FileUrlService.prepend(UrlPatch)\n"}),
])
def test_rb_a_call_of_another_count_reaches_the_method_through_an_override(tmp_path, call: str, override: dict) -> None:
    found = _url_change(tmp_path, call, override)
    assert [(p, line) for p, line, *_ in found] == [(_URLS_PATH, 3)]
    assert "login_code_job.rb:3" in found[0][4]


def test_rb_a_call_of_another_count_with_no_override_is_still_no_trail(tmp_path) -> None:
    # Another class's `url` of no argument, which calls no `super`: the call is still not the
    # file-URL service's.
    other = {"app/services/tenant_service.rb": "class TenantService\n  def url\n    \"https://example.org\"\n  end\nend\n"}
    assert _url_change(tmp_path, "url", other) == []


@pytest.mark.parametrize("alias", ["alias_method :plain_url, :url", "alias plain_url url"])
def test_rb_a_call_of_another_count_reaches_the_method_through_an_alias(tmp_path, alias: str) -> None:
    # The class reopened elsewhere keeps the old `url` under another name and calls it from a
    # new `url` of no argument.
    reopened = {"config/initializers/shared_urls.rb":
                f"class FileUrlService\n  {alias}\n\n  def url\n    plain_url(\"shared\")\n  end\nend\n"}
    found = _url_change(tmp_path, "url", reopened)
    assert [(p, line) for p, line, *_ in found] == [(_URLS_PATH, 3)]


# --- A worker base class however the declaration is spaced: the gate reads the file --------------

_WORKER = ("package org.tracker.engine;\n\nfinal class ActivityTaskWorker extends AbstractTaskWorker<ActivityTask> {\n"
           "    void process(ActivityTask task) {\n        final Object result = future.get();\n"
           "        engine.onTaskEvent(result);\n    }\n}\n")
_WORKER_PATH = "dex/engine/src/main/java/org/tracker/engine/ActivityTaskWorker.java"
_KT_WORKER = ("package org.tracker.sync\n\nclass SyncWorker(context: Context, params: WorkerParameters) :\n"
              "    CoroutineWorker(context, params) {\n    override suspend fun doWork(): Result {\n"
              "        val result = future.get()\n        return Result.success()\n    }\n}\n")


@pytest.mark.parametrize(("path", "base"), [
    (_WORKER_PATH, _WORKER.replace("<ActivityTask> {", "{")),
    (_WORKER_PATH, _WORKER.replace("<ActivityTask> {", "\n{")),  # the brace on its own line
    (_WORKER_PATH, _WORKER.replace("<ActivityTask> {", "\n        implements Closeable {")),
    (_WORKER_PATH, _WORKER.replace("<ActivityTask> {", "  {")),
    # Android's WorkManager: the base class's constructor takes the context and the parameters
    ("app/src/main/java/org/tracker/sync/SyncWorker.kt", _KT_WORKER),
])
def test_jvm_a_worker_subclass_spaced_otherwise_is_background_code(tmp_path, path: str, base: str) -> None:
    head = base.replace("future.get()", "future.get(5, TimeUnit.SECONDS)")
    found = _found(tmp_path, {path: base}, {path: head})
    assert [p for p, *_ in found] == [path]
    assert "Worker`" in found[0][4]


def test_kotlin_a_worker_subclass_elsewhere_is_a_job_the_change_reaches(tmp_path) -> None:
    # The repository's one job is a WorkManager worker: a change to the uploader it calls is
    # searched for trails.
    worker = _KT_WORKER.replace("val result = future.get()", "val result = Uploader().uploadPending()")
    uploader = ("package org.tracker.sync\n\nclass Uploader {\n    fun uploadPending(): Int {\n"
                "        return queue.drain(10)\n    }\n}\n")
    path = "app/src/main/java/org/tracker/sync/Uploader.kt"
    found = _found(tmp_path, {"app/src/main/java/org/tracker/sync/SyncWorker.kt": worker, path: uploader},
                   {path: uploader.replace("drain(10)", "drain(50)")})
    assert [(p, line) for p, line, *_ in found] == [(path, 5)]


# --- A field's initializer: Kotlin's static properties are followed, a logger is not -------------

_SYNC_JOB = ("package shop.jobs;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
        "public class SyncJob {\n    @Scheduled(fixedDelay = 1000)\n    public void sync() {\n"
        "        HttpClients.client(\"orders\").send();\n    }\n}\n")
_SYNC_JOB_PATH = "src/main/java/shop/jobs/SyncJob.java"
_KT_CLIENTS = ("package shop.worker\n\n{TOP}class HttpClients {\n    companion object {\n        {DECL}\n\n"
               "        fun client(key: String): Client {\n            return build(TTL)\n        }\n    }\n}\n")
_KT_PATH = "src/main/kotlin/shop/worker/HttpClients.kt"


@pytest.mark.parametrize(("top", "decl", "line"), [
    ("", "val TTL = Duration.ofMinutes(60)", 5),  # a companion's `val` of an object: no `const` allowed
    ("", "var TTL = 60L", 5),
    ("", "val TTL by lazy { Duration.ofMinutes(60) }", 5),
    ("private val TTL = Duration.ofMinutes(60)\n\n", "val unused = 0", 3),  # the top level
])
def test_kotlin_a_static_propertys_changed_initializer_reaches_its_readers(tmp_path, top: str, decl: str, line: int) -> None:
    base = _KT_CLIENTS.replace("{TOP}", top).replace("{DECL}", decl)
    head = base.replace("ofMinutes(60)", "ofMinutes(5)").replace("60L", "5L")
    found = _found(tmp_path, {_KT_PATH: base, _SYNC_JOB_PATH: _SYNC_JOB}, {_KT_PATH: head})
    assert [(p, row) for p, row, *_ in found] == [(_KT_PATH, line)]
    assert "SyncJob.java:8" in found[0][4]


def test_kotlin_an_objects_property_is_one_but_a_classs_is_each_objects(tmp_path) -> None:
    # A class's own property of the same name is each instance's: not followed as a constant.
    base = _KT_CLIENTS.replace("{TOP}", "").replace("{DECL}", "val unused = 0").replace(
        "class HttpClients {\n", "class HttpClients {\n    val TTL = Duration.ofMinutes(60)\n\n")
    head = base.replace("ofMinutes(60)", "ofMinutes(5)")
    assert _found(tmp_path, {_KT_PATH: base, _SYNC_JOB_PATH: _SYNC_JOB}, {_KT_PATH: head}) == []


_JAVA_CLIENTS = ("package shop.worker;\n\npublic class HttpClients {\n    {DECL}\n\n"
                 "    public static Client client(String key) {\n        LOG.info(key);\n        return build(key);\n    }\n}\n")


@pytest.mark.parametrize("final", ["", "final "])
def test_java_a_static_loggers_changed_initializer_is_not_followed(tmp_path, final: str) -> None:
    # Which logger the lines go to changes nothing the job does.
    path = "src/main/java/shop/worker/HttpClients.java"
    base = _JAVA_CLIENTS.replace("{DECL}", f"private static {final}Logger LOG = LoggerFactory.getLogger(HttpClients.class);")
    head = base.replace("getLogger(HttpClients.class)", "getLogger(\"shop.http\")")
    assert _found(tmp_path, {path: base, _SYNC_JOB_PATH: _SYNC_JOB}, {path: head}) == []


def test_java_a_local_captured_by_an_anonymous_runnable_still_rules_the_call_out(tmp_path) -> None:
    # A Runnable inherits no field that could hide the captured local of another type.
    client = _FIELD_OTHER.replace(_CALL, "YarnConfiguration conf = make();\n        executor.submit(new Runnable() {\n"
                                         "            public void run() {\n                conf.addResource(path);\n"
                                         "            }\n        });")
    assert _saver_change(tmp_path, client) == []


@pytest.mark.parametrize("imports", ["import androidx.work.Worker;\nimport androidx.work.WorkerParameters;\n", "import androidx.work.*;\n"])
def test_java_an_android_workmanager_worker_is_background_code(tmp_path, imports: str) -> None:
    # WorkManager keeps a request across an update of the application and runs it with the new
    # code: its `doWork` is a job's.
    path = "app/src/main/java/org/tracker/sync/UploadWorker.java"
    base = (f"package org.tracker.sync;\n\n{imports}\npublic class UploadWorker extends Worker {{\n"
            "    @Override\n    public Result doWork() {\n        uploader.upload(10);\n        return Result.success();\n    }\n}\n")
    found = _found(tmp_path, {path: base}, {path: base.replace("upload(10)", "upload(50)")})
    assert [p for p, *_ in found] == [path]
    assert "WorkManager worker" in found[0][4]


def test_java_a_bare_worker_base_of_no_android_import_is_still_no_background_code(tmp_path) -> None:
    path = "src/main/java/org/shop/hr/Contractor.java"
    base = ("package org.shop.hr;\n\npublic class Contractor extends Worker {\n    public long pay() {\n"
            "        return hours * rate;\n    }\n}\n")
    assert _found(tmp_path, {path: base}, {path: base.replace("hours * rate", "hours * rate * 2")}) == []
