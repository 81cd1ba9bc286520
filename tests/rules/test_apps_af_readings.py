"""Readings from session 39's work on apps-af (tests/corpus/*-labelled-apps-af.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- JS/TS: Botpress's workflows (apps-af cf96caaf) -------------------------------------------------

# A plugin's workflow handlers now catch the batch update's error and mark the workflow failed, where
# the error used to reach Botpress's runner, which retries it. Nothing was flagged: the handlers,
# typed `bp.WorkflowHandlers['…']` and registered with `plugin.on.workflowStart(…)`, were not known
# as background code.
HANDLERS = """import { updateAll } from '../updateAll'
import * as bp from '.botpress'

export const handleStart: bp.WorkflowHandlers['updateAll'] = async (props) => {
  await updateAll(props)
  return undefined
}
"""
CAUGHT = """import { updateAll } from '../updateAll'
import * as bp from '.botpress'

export const handleStart: bp.WorkflowHandlers['updateAll'] = async (props) => {
  try {
    await updateAll(props)
  } catch (thrown) {
    await props.workflow.setFailed({ failureReason: String(thrown) })
  }
  return undefined
}
"""
HANDLERS_PATH = "plugins/insights/src/handlers/update-all.ts"
INDEX = """import * as bp from '.botpress'

const plugin = new bp.Plugin({ actions: {} })

plugin.on.workflowContinue('updateAll', async (props) => {
  await props.client.updateRows({ rows: [] })
})

export default plugin
"""
INDEX_PATH = "plugins/insights/src/index.ts"


def test_a_botpress_workflow_handler_by_its_type_is_background_code(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {HANDLERS_PATH: HANDLERS}, {HANDLERS_PATH: CAUGHT})
    assert [line for _, line, _, _, _ in found] == [5], found
    assert "Botpress workflow" in found[0][4]


def test_a_callback_registered_for_a_botpress_workflow_is_background_code(tmp_path) -> None:
    head = INDEX.replace("rows: []", "rows: [], upsert: true")
    found = flagged_on_branch(tmp_path, {INDEX_PATH: INDEX}, {INDEX_PATH: head})
    assert [line for _, line, _, _, _ in found] == [6], found
    assert "Botpress workflow" in found[0][4]


@pytest.mark.parametrize("main, head", [
    # The type's name in a file that does not import Botpress.
    (HANDLERS.replace("import * as bp from '.botpress'", "import * as bp from './types'"),
     CAUGHT.replace("import * as bp from '.botpress'", "import * as bp from './types'")),
    # An event of another name (`on.event`) registers a request-path handler.
    (INDEX.replace("workflowContinue", "afterIncomingMessage"),
     INDEX.replace("workflowContinue", "afterIncomingMessage").replace("rows: []", "rows: [], upsert: true")),
])
def test_no_botpress_workflow_without_botpress_or_a_workflow_event(tmp_path, main, head) -> None:
    path = INDEX_PATH if "plugin.on" in main else HANDLERS_PATH
    assert flagged_on_branch(tmp_path, {path: main}, {path: head}) == []
