"""What the new-user trial of session 22 (amplication/amplication: NestJS services talking over
Kafka) found deploycheck silent about, on real git repositories."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

CONTROLLER = """import { Controller } from "@nestjs/common";
import { EventPattern, Payload } from "@nestjs/microservices";
import { BuildRunnerService } from "./build-runner.service";

@Controller("build-runner")
export class BuildRunnerController {
  constructor(private readonly buildRunnerService: BuildRunnerService) {}

  @EventPattern("code-generation-request")
  async onCodeGenerationRequest(@Payload() message: Request): Promise<void> {
    await this.buildRunnerService.runBuild(message.resourceId, message.buildId);
  }
}
"""
NOT_AWAITED = CONTROLLER.replace("    await this.buildRunnerService", "    void this.buildRunnerService")


@pytest.mark.parametrize("decorator", ['@EventPattern("code-generation-request")',
                                       '@MessagePattern("code-generation-request")'])
def test_a_nestjs_message_handler_in_a_controller_is_background_code(tmp_path, decorator: str) -> None:
    # The Kafka consumer no longer waits for the build: builds run unbounded, their errors unhandled.
    # The file names no job library, only the microservices decorator.
    path = "packages/build-manager/src/build-runner/build-runner.controller.ts"
    code = CONTROLLER.replace('@EventPattern("code-generation-request")', decorator)
    head = NOT_AWAITED.replace('@EventPattern("code-generation-request")', decorator)
    found = flagged_on_branch(tmp_path, {path: code}, {path: head}, rule=None)
    assert [(f[0], f[1], f[3]) for f in found] == [(path, 11, "warning")]
    assert "message handler" in found[0][4]


def test_a_build_folder_inside_a_source_tree_is_read_as_source(tmp_path) -> None:
    # Amplication's server keeps its build module (11 Kafka handlers) in `src/core/build/`: source,
    # not a compiler's output, which goes beside `src/`.
    path = "packages/server/src/core/build/build.controller.ts"
    found = flagged_on_branch(tmp_path, {path: CONTROLLER}, {path: NOT_AWAITED}, rule=None)
    assert [(f[0], f[1], f[3]) for f in found] == [(path, 11, "warning")]
    # Output folders stay output: a `build/` beside `src/` is read as before (not analysed, DC001).
    out = "packages/server/build/core/build.controller.js"
    found = flagged_on_branch(tmp_path / "out", {out: CONTROLLER}, {out: NOT_AWAITED}, rule=None)
    assert [(f[0], f[1]) for f in found] == [(out, 11)] and "vendored or built" in found[0][4]


def test_a_settings_message_shows_a_string_argument_as_written(tmp_path) -> None:
    # Trial 21 (convoy) saw `getRouterConfigInt(" ", 64)`: the pattern matched the line with its
    # strings blanked, and the message showed the blanks. The key is the reader's clue.
    code = 'package router\n\nfunc setup() {\n\tnoOfWorkers := config.GetInt("Router.noOfWorkers", 64)\n\t_ = noOfWorkers\n}\n'
    found = flagged_on_branch(tmp_path, {"router/w.go": code}, {"router/w.go": code.replace("64", "128")}, rule="DC519")
    assert [(f[0], f[1]) for f in found] == [("router/w.go", 4)]
    assert 'from config.GetInt("Router.noOfWorkers", 64) to config.GetInt("Router.noOfWorkers", 128)' in found[0][4]
