"""Readings from the apps-q sample (tests/corpus/*-labelled-apps-q.yaml), scanned first in
session 24, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

WORKING = """package util

import "time"

const (
	Ver       = "3.7.3-beta.3"
	IsInsider = false
)

func Boot() {
	go func() {
		for {
			report(Ver)
			time.Sleep(time.Minute)
		}
	}()
}

func report(v string) {}
"""


@pytest.mark.parametrize("old, new, flagged", [
    ('Ver       = "3.7.3-beta.3"', 'Ver       = "3.7.3"', False),  # siyuan (apps-q 170c742f, 9c2d58b6)
    ('Ver       = "3.7.3-beta.3"', 'Ver       = "http://x"', True),  # not a version number
])
def test_go_a_release_number_in_a_constant_named_ver_is_no_behaviour(tmp_path, old: str, new: str, flagged: bool) -> None:
    # A release bumps `Ver` in a const block a boot goroutine reads: DC701 asked the checklist of it.
    found = flagged_on_branch(tmp_path, {"kernel/util/working.go": WORKING},
                              {"kernel/util/working.go": WORKING.replace(old, new)})
    assert bool(found) == flagged


LOGIN = """import { models } from './models';

export const login = async (req, res) => {
  const account = await models.Accounts.findOne({ uid: req.uid });
  if (account) {
    await models.Accounts.updateOne({ _id: account._id }, { $set: { token: req.token } });
  } else {
    const created = await models.Accounts.create({ uid: req.uid, token: req.token });
    console.log('created', created._id);
  }
  return res.redirect('/');
};
"""
SIGNUP = """
export const signup = async (req) => {
  if (!(await models.Accounts.findOne({ uid: req.uid }))) {
    await models.Accounts.create({ uid: req.uid });
  }
};
"""


@pytest.mark.parametrize("head, flagged", [
    # erxes (apps-q d223ed29, 0259ece7): debug logging dropped beside a lookup-then-create the
    # base already had; the act's line changed only as `const created = …` lost its name.
    (LOGIN.replace("const created = await", "await").replace("    console.log('created', created._id);\n", ""), []),
    # erxes 0259ece7: a debug log between them holds a ternary, which decides nothing
    (LOGIN.replace("  if (account) {\n", "  console.log('lookup', account ? account._id : null);\n  if (account) {\n")
     .replace("const created = await", "await").replace("    console.log('created', created._id);\n", ""), []),
    # a new function that checks, then creates: a race the change makes
    (LOGIN + SIGNUP, [16]),
    # what decides whether the act runs changed between the base's check and act (usesend's
    # sign-up, apps-f 68b5a072, moved a refusal inside its locked check): still the change's
    (LOGIN.replace("const created = await", "await").replace("    console.log('created', created._id);\n", "")
     .replace("  } else {\n", "  } else {\n    if (!req.token) {\n      throw new Error('no token');\n    }\n"), [11]),
    # the same function now creates through another model: not the pair the base had
    (LOGIN.replace("const created = await models.Accounts.create", "const created = await models.Users.create")
     .replace("models.Accounts.findOne", "models.Users.findOne"), [8]),
])
def test_js_a_check_then_create_the_base_already_had_is_not_the_change(tmp_path, head: str, flagged: list) -> None:
    found = flagged_on_branch(tmp_path, {"src/login.ts": LOGIN}, {"src/login.ts": head}, rule="DC705")
    assert [f[1] for f in found] == flagged


ENGINES = """package org.example.script;

import java.util.HashMap;
import java.util.Map;

public class ScriptEngineManagerImpl {
    private final Map<String, Factory> factories = new HashMap<>();

    public void addFactory(String type, Factory factory) {
        factories.put(type, factory);
    }

    public Factory factory(String type) {
        return factories.get(type);
    }
}
"""


@pytest.mark.parametrize("head, flagged", [
    # openhab (apps-q 47451808): the registry's map, filled by OSGi threads and read by rule
    # threads, became a ConcurrentHashMap; in no job file, the change was "Nothing flagged".
    (ENGINES.replace("new HashMap<>()", "new ConcurrentHashMap<>()")
     .replace("import java.util.Map;", "import java.util.Map;\nimport java.util.concurrent.ConcurrentHashMap;"),
     [(8, "warning")]),
    (ENGINES.replace("    public void addFactory", "    public synchronized void addFactory"), [(9, "warning")]),
    (ENGINES.replace("return factories.get(type);", "return factories.get(type); // not synchronized"), []),
])
def test_java_a_concurrency_primitive_gained_anywhere_is_a_warning(tmp_path, head: str, flagged: list) -> None:
    found = flagged_on_branch(tmp_path, {"core/src/main/java/org/example/script/ScriptEngineManagerImpl.java": ENGINES},
                              {"core/src/main/java/org/example/script/ScriptEngineManagerImpl.java": head}, rule="DC704")
    assert [(f[1], f[3]) for f in found] == flagged


def test_java_a_concurrency_primitive_taken_from_a_request_path_class_is_high(tmp_path) -> None:
    path = "core/src/main/java/org/example/script/ScriptEngineManagerImpl.java"
    guarded = ENGINES.replace("    public void addFactory", "    public synchronized void addFactory")
    found = flagged_on_branch(tmp_path, {path: guarded}, {path: ENGINES}, rule="DC704")
    assert [(f[1], f[3]) for f in found] == [(9, "high")]


GO_MOD = "module example.com/drive\n\ngo 1.22\n"
UPLOAD = """package teldrive

import "golang.org/x/sync/semaphore"

func Upload(parts []string, sem *semaphore.Weighted) {
	for range parts {
		go func() {
			defer sem.Release(1)
		}()
	}
}
"""
FUSE = """package fuse

type Fs struct{ open map[string]int }

func (f *Fs) Release(path string) error {
	delete(f.open, path)
	return nil
}
"""


@pytest.mark.parametrize("kept, flagged", [(False, False), (True, True)])
def test_go_a_deleted_package_nothing_imports_runs_nowhere(tmp_path, kept: bool, flagged: bool) -> None:
    # OpenList (apps-q 78f2f0b2) deleted an unused FUSE stub: its `Fs.Release` had been matched,
    # by name, to a semaphore's `Release` in an upload goroutine, and its removal was DC701.
    main = {"go.mod": GO_MOD, "drivers/teldrive/upload.go": UPLOAD, "internal/fuse/fs.go": FUSE,
            "internal/fuse/doc.go": "package fuse\n"}
    branch = {"internal/fuse/fs.go": None} if kept else {"internal/fuse/fs.go": None, "internal/fuse/doc.go": None}
    found = flagged_on_branch(tmp_path, main, branch)
    assert bool(found) == flagged, found


EMBED = """package model

import (
	"time"

	"example.com/kernel/task"
)

func buildEmbedBlock(id string, blocks []string) []string {
	ret := append([]string{}, blocks...)
	task.AppendTaskWithTimeout(task.DatabaseIndexEmbedBlock, 30*time.Second, updateEmbedBlockContent, id, ret)
	return ret
}
"""


@pytest.mark.parametrize("head, line", [
    # siyuan (apps-q 23a17d44): the embed index task is now queued only when asked; nothing was read
    (EMBED.replace("func buildEmbedBlock(id string, blocks []string)", "func buildEmbedBlock(id string, blocks []string, updateIndex bool)")
     .replace("\ttask.AppendTaskWithTimeout(task.DatabaseIndexEmbedBlock, 30*time.Second, updateEmbedBlockContent, id, ret)\n",
              "\tif updateIndex {\n\t\ttask.AppendTaskWithTimeout(task.DatabaseIndexEmbedBlock, 30*time.Second, updateEmbedBlockContent, id, ret)\n\t}\n"),
     11),
    (EMBED.replace("30*time.Second", "5*time.Second"), 11),  # what it hands the queue changed
    (EMBED.replace("\treturn ret\n", "\tret = append(ret, \"x\")\n\treturn ret\n"), None),  # the enqueue is the base's
])
def test_go_an_enqueue_to_the_repositorys_own_task_queue_is_dc715(tmp_path, head: str, line) -> None:
    found = flagged_on_branch(tmp_path, {"kernel/model/search.go": EMBED}, {"kernel/model/search.go": head}, rule="DC715")
    assert [f[1] for f in found] == ([line] if line else [])


ASYNQ = """package api

import "github.com/hibiken/asynq"

func Signup(client *asynq.Client, id string) error {
	return nil
}
"""


def test_go_an_asynq_enqueue_added_to_a_request_handler_is_dc715(tmp_path) -> None:
    head = ASYNQ.replace("\treturn nil\n", "\t_, err := client.Enqueue(asynq.NewTask(\"welcome\", []byte(id)))\n\treturn err\n")
    found = flagged_on_branch(tmp_path, {"api/signup.go": ASYNQ}, {"api/signup.go": head}, rule="DC715")
    assert [f[1] for f in found] == [6]


RENDER_JOB = """const _ = require('lodash')

module.exports = async (pageId) => {
  const pipeline = await WIKI.models.renderers.getRenderingPipeline(pageId)
  let output = ''
  for (const core of pipeline) {
    const renderer = require(`../modules/rendering/${_.kebabCase(core.key)}/renderer.js`)
    output = await renderer.render.call({ input: output })
  }
  await WIKI.models.pages.query().patch({ render: output }).where('id', pageId)
}
"""
SANITIZER = """const DOMPurify = require('dompurify')

module.exports = {
  async init(input) {
    return DOMPurify.sanitize(input, {
      ADD_TAGS: ['iframe']
    })
  }
}
"""


@pytest.mark.parametrize("loader, flagged", [(True, [6]), (False, [])])
def test_js_a_module_a_job_loads_by_a_computed_path_is_background_code(tmp_path, loader: bool, flagged: list) -> None:
    # wiki.js (apps-h b950e065): the page-render job requires each renderer of the page's pipeline
    # by a path built from its key; the sanitizer renderer's change was "Nothing flagged".
    main = {"server/modules/rendering/html-security/renderer.js": SANITIZER, "server/jobs/sync.js": "module.exports = async () => {}\n"}
    if loader:
        main["server/jobs/render-page.js"] = RENDER_JOB
    head = SANITIZER.replace("      ADD_TAGS: ['iframe']\n", "      ADD_TAGS: ['iframe'],\n      HTML_INTEGRATION_POINTS: { foreignobject: true }\n")
    found = flagged_on_branch(tmp_path, main, {"server/modules/rendering/html-security/renderer.js": head})
    assert [f[1] for f in found] == flagged
    if loader:
        assert "the job at server/jobs/render-page.js:7 loads by a computed path" in found[0][4]


CAPSULE_SYNC = """module Actions
  module Katello
    class SyncCapsule < ::Actions::EntryAction
      def run
        smart_proxy = ::SmartProxy.find(input[:smart_proxy_id])
        smart_proxy.sync_container_gateway
      end
    end
  end
end
"""
PROXY = """module Katello
  module SmartProxyExtensions
    def sync_container_gateway
      return unless has_feature?(CONTAINER_GATEWAY)
      update_container_repo_list
    end
  end
end
"""


@pytest.mark.parametrize("base_class, flagged", [("::Actions::EntryAction", [4]), ("::Actions::Helper", [])])
def test_ruby_a_dynflow_actions_run_is_background_code(tmp_path, base_class: str, flagged: list) -> None:
    # Katello (apps-q 70cf5970): the capsule-sync Dynflow action calls the proxy's container
    # gateway sync, which changed; Dynflow's actions were not read as background code.
    main = {"app/lib/actions/katello/sync_capsule.rb": CAPSULE_SYNC.replace("::Actions::EntryAction", base_class),
            "app/models/katello/smart_proxy_extensions.rb": PROXY}
    head = PROXY.replace("return unless has_feature?(CONTAINER_GATEWAY)", "proxy = self_or_colocated(CONTAINER_GATEWAY)\n      return unless proxy")
    found = flagged_on_branch(tmp_path, main, {"app/models/katello/smart_proxy_extensions.rb": head})
    assert [f[1] for f in found] == flagged


FACTORY = """package org.example.net;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class WebClientFactoryImpl {
    private QueuedThreadPool threadPool;

    public void deactivate() {
        commonHttpClient.stop();
    }

    private void initialize() {
        threadPool = new QueuedThreadPool(20, 2, 60000);
        commonHttpClient.setExecutor(threadPool);
    }
}
"""


@pytest.mark.parametrize("old, new, line", [
    # openhab (apps-q f1901dc8): the factory now stops the pool its HTTP and WebSocket clients share
    ("        commonHttpClient.stop();\n", "        commonHttpClient.stop();\n        threadPool.stop();\n", 10),
    ("        commonHttpClient.stop();\n", "        commonHttpClient.stop(); // the pool stays\n", None),
])
def test_java_a_thread_pool_started_or_stopped_anew_is_dc711(tmp_path, old: str, new: str, line) -> None:
    path = "bundles/net/src/main/java/org/example/net/WebClientFactoryImpl.java"
    found = flagged_on_branch(tmp_path, {path: FACTORY}, {path: FACTORY.replace(old, new)}, rule="DC711")
    assert [f[1] for f in found] == ([line] if line else [])


def test_java_a_pool_stop_the_method_already_made_is_no_new_lifecycle(tmp_path) -> None:
    # shenyu (apps-j 74d33896): `executor.shutdown()` moved into a null check in a `close()` that
    # already made it; the thread-pool reading's gate widened the shutdown-hook one, which then
    # reported the hook as changed.
    path = "admin/src/main/java/org/example/InstanceCheckService.java"
    base = FACTORY.replace("        commonHttpClient.stop();\n", "        threadPool.stop();\n")
    head = FACTORY.replace("        commonHttpClient.stop();\n", "        if (threadPool != null) {\n            threadPool.stop();\n        }\n")
    assert flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC711") == []
