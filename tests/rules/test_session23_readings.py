"""Readings added in session 23 from older corpus entries (tests/corpus/), on real git
repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

DEVICE = """class DeviceInfo {
  setData(data) {
    this.sdkVersion = data.sdkVersion
    this.model = data.model
  }
}

module.exports = DeviceInfo
"""
BACKUP = """class Backup {
  setData(path) {
    this.path = path
  }
}

module.exports = Backup
"""
MANAGER = """const { CronJob } = require('cron')
const Backup = require('../objects/Backup')
const DeviceInfo = require('../objects/DeviceInfo')

class BackupManager {
  start() {
    this.job = new CronJob('0 1 * * *', () => this.runBackup())
  }

  runBackup() {
    const newBackup = new {built}()
    newBackup.setData(this.backupPath)
  }
}

module.exports = BackupManager
"""


@pytest.mark.parametrize("built, flagged", [("Backup", False), ("DeviceInfo", True)])
def test_js_a_method_called_on_a_local_built_of_another_class_is_not_the_changed_one(tmp_path, built: str, flagged: bool) -> None:
    # audiobookshelf (apps-l c010f0e1): a mobile client's SDK version kept as text in
    # `DeviceInfo#setData` was "reached" from the backup cron, which calls `setData` on the
    # `new Backup()` it just built: a false trail through a name two classes share.
    main = {"server/objects/DeviceInfo.js": DEVICE, "server/objects/Backup.js": BACKUP,
            "server/managers/BackupManager.js": MANAGER.replace("{built}", built)}
    head = {"server/objects/DeviceInfo.js": DEVICE.replace("data.sdkVersion\n", "String(data.sdkVersion)\n")}
    found = flagged_on_branch(tmp_path, main, head)
    assert [(f[0], f[1]) for f in found] == ([("server/objects/DeviceInfo.js", 3)] if flagged else [])


STORE = """export function configPath(): string {
  return process.env.CLI_CONFIG ?? "~/.cli/config.json"
}

export function getConfig(): { path: string } {
  return { path: configPath() }
}
"""
ADAPTER = """import { WorkbenchCore } from "../core/workbench"

export function workbench(options) {
  const core = new WorkbenchCore(options)
  return { config: () => core.getConfig() }
}
"""
CORE = """export class WorkbenchCore {
  constructor(options) {
    this.options = options
  }

  getConfig() {
    return this.options
  }
}
"""
WORKER = """import { workbench } from "@acme/workbench"
import { Worker } from "bullmq"

export const worker = new Worker("sync", async () => {
  workbench({ queues: [] })
}, { connection })
"""


@pytest.mark.parametrize("built", [True, False])
def test_js_a_modules_function_is_not_reached_through_a_method_of_a_new_object(tmp_path, built: bool) -> None:
    # midday (apps-k db458378): lint fixes in the CLI's config store were "reached" from the
    # worker through its workbench, whose `core.getConfig()` calls the `new WorkbenchCore`'s method,
    # never the CLI's exported function of that name.
    adapter = ADAPTER if built else ADAPTER.replace("const core = new WorkbenchCore(options)", "const core = options.core")
    main = {"packages/cli/src/config/store.ts": STORE, "packages/workbench/src/adapters/hono.ts": adapter,
            "packages/workbench/src/core/workbench.ts": CORE, "apps/worker/src/index.ts": WORKER}
    head = {"packages/cli/src/config/store.ts": STORE.replace('"~/.cli/config.json"', '"~/.config/cli.json"')}
    found = flagged_on_branch(tmp_path, main, head)
    assert [(f[0], f[1]) for f in found] == ([] if built else [("packages/cli/src/config/store.ts", 2)])
