"""Readings added in session 22 from corpus entries (tests/corpus/), on real git repositories:
each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

LOADPOINT = """package core

import (
	evbus "github.com/asaskevich/EventBus"
)

type Loadpoint struct {
	bus      evbus.Bus
	limitSoc int
}

func (lp *Loadpoint) wire() {
	_ = lp.bus.Subscribe(evVehicleDisconnect, lp.evVehicleDisconnectHandler)
}

func (lp *Loadpoint) evVehicleDisconnectHandler() {
	lp.SetLimitSoc(0)
}
"""


@pytest.mark.parametrize("imported", [True, False])
def test_go_an_event_bus_handler_is_background_code(tmp_path, imported: bool) -> None:
    # evcc (apps-m 19f750c4): the vehicle-disconnect handler, subscribed on asaskevich/EventBus and
    # run from the control loop's goroutine beside the API's setters, stopped clearing the limits.
    base = LOADPOINT if imported else LOADPOINT.replace('\tevbus "github.com/asaskevich/EventBus"\n', '\t"example.com/bus"\n')
    head = base.replace("\tlp.SetLimitSoc(0)\n", "\tif !lp.integrated() {\n\t\tlp.SetLimitSoc(0)\n\t}\n")
    found = flagged_on_branch(tmp_path, {"core/loadpoint.go": base}, {"core/loadpoint.go": head})
    if imported:
        assert [(f[0], f[1]) for f in found] == [("core/loadpoint.go", 17)]
        assert "event-bus handler" in found[0][4]
    else:  # another library's `Subscribe`: what runs the handler is not known
        assert found == []


def test_storybook_pages_are_no_unread_production_code(tmp_path) -> None:
    # hyperdx (apps-o f31a1458): its design-system pages live in `src/stories/docs/`, rendered by
    # Storybook's own server for developers. They were DC001 `high` ("skipped as documentation, yet
    # it runs"): five false flags on one commit. A server module in a docs folder below `src/` is
    # read as code (session 25: logto's console guides), so its worker's setting is flagged.
    page = "export const AgentDoc = () => <div>Agents</div>;\n"
    worker = "import { Worker } from 'bullmq';\nexport const w = new Worker('docs', run, { concurrency: 1 });\n"
    main = {"packages/app/src/stories/docs/AgentDoc.tsx": page,
            "packages/app/src/stories/docs/Colors.stories.tsx": page, "packages/api/src/docs/serve.ts": worker}
    head = {"packages/app/src/stories/docs/AgentDoc.tsx": page.replace("Agents", "Agent runs"),
            "packages/app/src/stories/docs/Colors.stories.tsx": page.replace("Agents", "Colours")}
    assert flagged_on_branch(tmp_path, main, head, rule=None) == []
    found = flagged_on_branch(tmp_path / "server", main,
                              {"packages/api/src/docs/serve.ts": worker.replace("concurrency: 1", "concurrency: 8")}, rule=None)
    assert {(f[0], f[1]) for f in found} == {("packages/api/src/docs/serve.ts", 2)}
    assert not any("could not analyse" in f[4] for f in found)
