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
