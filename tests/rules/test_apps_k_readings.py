"""Readings from the held-out sample apps-k (session 18): each test fails without its change.
Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.java_trails import CLIENT, SAVER_PATH, SERVICE, saver_change
from support.scanning import flagged_on_branch as _found


# --- A static field's initializer is its value: its readers are followed -------------------------

_CLIENTS = ("package shop.worker;\n\nimport com.google.common.cache.Cache;\nimport com.google.common.cache.CacheBuilder;\n\n"
            "public class HttpClients {\n    private static long TTL_MINUTES = 60000;\n"
            "    private static Cache<String, Client> cache = CacheBuilder.newBuilder()\n"
            "            .expireAfterAccess(TTL_MINUTES, TimeUnit.MINUTES)\n            .build();\n\n"
            "    public static Client client(String key) {\n        return cache.getIfPresent(key);\n    }\n}\n")
_SYNC_JOB = ("package shop.jobs;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\n"
             "public class SyncJob {\n    @Scheduled(fixedDelay = 1000)\n    public void sync() {\n"
             "        HttpClients.client(\"orders\").send();\n    }\n}\n")


@pytest.mark.parametrize("final", ["", "final "])
def test_java_a_static_fields_changed_initializer_reaches_its_readers(tmp_path, final: str) -> None:
    # Taier's static client cache, whose expiry changed from sixty thousand minutes to five: the
    # field need not be final, and the job reads it through `client`.
    base = _CLIENTS.replace("private static Cache", f"private static {final}Cache")
    head = base.replace("TimeUnit.MINUTES", "TimeUnit.SECONDS")
    path = "src/main/java/shop/worker/HttpClients.java"
    found = _found(tmp_path, {path: base, "src/main/java/shop/jobs/SyncJob.java": _SYNC_JOB}, {path: head})
    assert [(p, line) for p, line, *_ in found] == [(path, 9)]
    assert "SyncJob.java:8" in found[0][4]


def test_java_a_static_field_no_job_reads_is_not_flagged(tmp_path) -> None:
    path = "src/main/java/shop/worker/HttpClients.java"
    head = _CLIENTS.replace("TimeUnit.MINUTES", "TimeUnit.SECONDS")
    unrelated = _SYNC_JOB.replace("HttpClients.client(\"orders\").send();", "log.info(\"tick\");")
    assert _found(tmp_path, {path: _CLIENTS, "src/main/java/shop/jobs/SyncJob.java": unrelated}, {path: head}) == []


# --- An application's own worker base class -----------------------------------------------------

_WORKER = ("package org.tracker.engine;\n\nfinal class ActivityTaskWorker extends AbstractTaskWorker<ActivityTask> {\n"
           "    void process(ActivityTask task) {\n        final Object result = future.get();\n"
           "        engine.onTaskEvent(new Completed(task, result));\n    }\n}\n")


def test_java_a_subclass_of_an_applications_worker_base_is_background_code(tmp_path) -> None:
    # Dependency-Track's durable-execution engine: its activity worker now waits at most a timeout.
    path = "dex/engine/src/main/java/org/tracker/engine/ActivityTaskWorker.java"
    head = _WORKER.replace("future.get();", "future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);")
    found = _found(tmp_path, {path: _WORKER}, {path: head})
    assert [(p, line) for p, line, *_ in found] == [(path, 5)]
    assert "AbstractTaskWorker" in found[0][4]


@pytest.mark.parametrize("base_class", ["AbstractTaskHandler<ActivityTask>", "Worker", "Networker"])
def test_java_a_base_not_named_for_a_worker_is_no_background_code(tmp_path, base_class: str) -> None:
    # Only a name that ends in "Worker" after a word says so; `Worker` alone could be anything.
    path = "dex/engine/src/main/java/org/tracker/engine/ActivityTaskWorker.java"
    base = _WORKER.replace("AbstractTaskWorker<ActivityTask>", base_class)
    head = base.replace("future.get();", "future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);")
    assert _found(tmp_path, {path: base}, {path: head}) == []


# --- A call on a receiver of another type reaches no method of a class of no supertype -----------

_CLIENT = CLIENT.replace("{INIT}", "new YarnConfiguration()")
_SAVER_PATH = SAVER_PATH
_SERVICE = SERVICE
_saver_change = saver_change


def test_java_a_call_on_a_library_typed_field_is_no_trail(tmp_path) -> None:
    # Taier's script client calls Hadoop's `addResource` on its `YarnConfiguration`: no trail from
    # the job to the resource service's `addResource`, and so none to the task saver.
    assert _saver_change(tmp_path, _CLIENT.replace("{TYPE}", "YarnConfiguration")) == []


_LOCAL = "src/main/java/shop/develop/LocalResources.java"


def test_java_a_subclass_that_adds_no_such_supertype_does_not_keep_the_trail(tmp_path) -> None:
    subclass = "package shop.develop;\n\npublic class LocalResources extends ResourceService {\n}\n"
    assert _saver_change(tmp_path, _CLIENT.replace("{TYPE}", "YarnConfiguration"), {_LOCAL: subclass}) == []


@pytest.mark.parametrize("declared, extra", [
    ("ResourceService", None),  # the owner's own type
    ("var", None),  # a type not written
    # A subclass of the owner, which the receiver is declared as (dolphinscheduler's schedule
    # trigger, whose `triggerWorkflow` is its abstract superclass's).
    ("LocalResources", {_LOCAL: "package shop.develop;\n\npublic class LocalResources extends ResourceService {\n}\n"}),
    ("LocalResources", {_LOCAL: "package shop.develop;\n\npublic class LocalResources\n        extends\n            MidResources {\n}\n",
                        "src/main/java/shop/develop/MidResources.java":
                        "package shop.develop;\n\npublic class MidResources extends ResourceService {\n}\n"}),
    # A subclass of the owner implements the interface the receiver is declared as.
    ("Configurable", {_LOCAL: "package shop.develop;\n\npublic class LocalResources extends ResourceService implements Configurable {\n}\n"}),
    # The owner's superclass is a library's, whose supertypes are not read.
    ("Configurable", {"src/main/java/shop/develop/ResourceService.java": _SERVICE.replace(
        "public class ResourceService {", "public class ResourceService extends AbstractService {")}),
    # A superclass of the repository that implements it.
    ("Configurable", {"src/main/java/shop/develop/ResourceService.java": _SERVICE.replace(
        "public class ResourceService {", "public class ResourceService extends BaseService {"),
        "src/main/java/shop/develop/BaseService.java": "package shop.develop;\n\npublic abstract class BaseService implements Configurable {\n}\n"}),
])
def test_java_a_receiver_that_may_hold_the_owner_keeps_the_trail(tmp_path, declared: str, extra: dict | None) -> None:
    # Only a type that no object of the owner's class can be rules a call out.
    client = _CLIENT.replace("{TYPE}", declared)
    if declared == "var":
        client = client.replace("    private var yarnconf = new YarnConfiguration();\n", "").replace(
            "        yarnconf.addResource(path);", "        var yarnconf = make();\n        yarnconf.addResource(path);")
    found = _saver_change(tmp_path, client, extra)
    assert [(p, line) for p, line, *_ in found] == [(_SAVER_PATH, 5)]


# --- Ruby: a call with another number of arguments is another method ----------------------------

_URLS = "class FileUrlService\n  def url\n    base + \"/files\"\n  end\nend\n"
_TENANTS = "class TenantService\n  def url(locale: :en)\n    \"https://example.org/#{locale}\"\n  end\nend\n"
_LOGIN_JOB = ("class LoginCodeJob < ApplicationJob\n  def perform(locale)\n"
              "    link = tenant_service.{CALL}\n    deliver(link)\n  end\nend\n")
_URLS_PATH = "app/services/file_url_service.rb"


def _url_change(tmp_path, call: str) -> list[tuple]:
    main = {_URLS_PATH: _URLS, "app/services/tenant_service.rb": _TENANTS,
            "app/jobs/login_code_job.rb": _LOGIN_JOB.replace("{CALL}", call)}
    return _found(tmp_path, main, {_URLS_PATH: _URLS.replace("/files", "/shared-files")})


@pytest.mark.parametrize("call", ["url(locale: locale)", "url(locale)", "url locale: locale", "url(a, b)"])
def test_rb_a_call_with_arguments_is_no_trail_to_a_method_of_none(tmp_path, call: str) -> None:
    # vita-min's login job asks its tenant service for `url(locale: locale)`: the file-URL
    # service's `url`, which takes no argument, is another method.
    assert _url_change(tmp_path, call) == []


@pytest.mark.parametrize("call", ["url", "url()", "url(*args)", "url(**options)", "url(&block)"])
def test_rb_a_call_that_may_fit_keeps_the_trail(tmp_path, call: str) -> None:
    found = _url_change(tmp_path, call)
    assert [(p, line) for p, line, *_ in found] == [(_URLS_PATH, 3)]
    assert "login_code_job.rb:3" in found[0][4]


# --- Go: a method of an unexported type is looked for in its package, whatever its name ----------

_FIREBASE = ("package server\n\ntype firebaseClient struct {\n\tsender sender\n}\n\n"
             "func (c *firebaseClient) Send(v *visitor, m *message) error {\n\terr := c.sender.Send(m.body)\n"
             "\tif err == errQuota {\n\t\tv.deny()\n\t}\n\treturn err\n}\n")
_PUBLISH = ("package server\n\nfunc (s *Server) publish(v *visitor, m *message) {\n\tgo s.sendToFirebase(v, m)\n}\n\n"
            "func (s *Server) sendToFirebase(v *visitor, m *message) {\n\t_ = s.firebase.Send(v, m)\n}\n")
_FIREBASE_PATH = "server/server_firebase.go"
_FIREBASE_HEAD = _FIREBASE.replace("err == errQuota", "errors.Is(err, errQuota)")


def test_go_an_unexported_types_generic_method_is_followed_in_its_package(tmp_path) -> None:
    # ntfy's Firebase sender, which a goroutine per published message runs: `Send` is too common a
    # name to follow through the repository, not through its package.
    found = _found(tmp_path, {_FIREBASE_PATH: _FIREBASE, "server/server.go": _PUBLISH}, {_FIREBASE_PATH: _FIREBASE_HEAD})
    assert [(p, line) for p, line, *_ in found] == [(_FIREBASE_PATH, 9)]
    assert "server/server.go:8" in found[0][4]


def test_go_a_generic_method_is_not_followed_into_other_packages(tmp_path) -> None:
    # The goroutine is in another package: it cannot name the unexported type (only an interface
    # could carry the call, which the search does not see), and `Send(v, m)` there is another's.
    other = _PUBLISH.replace("package server", "package relay")
    found = _found(tmp_path, {_FIREBASE_PATH: _FIREBASE, "relay/relay.go": other}, {_FIREBASE_PATH: _FIREBASE_HEAD}, rule=None)
    assert found == []


def test_go_an_exported_types_generic_method_is_followed_in_its_package_too(tmp_path) -> None:
    # Since session 29 (photoview's `ScannerJob.Run`, a new user's trial): in its package only.
    exported = _FIREBASE.replace("firebaseClient", "FirebaseClient")
    found = _found(tmp_path, {_FIREBASE_PATH: exported, "server/server.go": _PUBLISH},
                   {_FIREBASE_PATH: _FIREBASE_HEAD.replace("firebaseClient", "FirebaseClient")})
    assert [(p, line) for p, line, *_ in found] == [(_FIREBASE_PATH, 9)]
