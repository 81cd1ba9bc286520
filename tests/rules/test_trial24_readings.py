"""Readings from the new users' trials of session 24 (hcengineering/platform: TypeScript
services; eclipse-hawkbit/hawkbit: Spring), on real git repositories through the real command:
each case fails without its reading."""

from __future__ import annotations

from support.gate import dc
from support.gitrepo import make_branch, make_repo

WORKER = "import { Worker } from 'bullmq';\nimport { run } from './steps';\nnew Worker('q', async (job) => { await run(job.data); });\n"
STEPS = "export async function run(data) {\n  return data;\n}\n"
MAIN = "import { db } from './db';\n\nexport async function execute(id) {\n  const row = await db.get(id);\n  return row;\n}\n"


def test_a_function_not_followed_is_shown_at_code_and_verify_says_so(tmp_path) -> None:
    # platform c1b8e77e: the info finding's marker sat on a blank line; `verify` then said it
    # "found no change to jobs" beside the scan's "check by hand", and nothing said how to make
    # deploycheck read the file (`job_paths`).
    repo = make_repo(tmp_path / "repo", {"src/worker.ts": WORKER, "src/steps.ts": STEPS, "src/main.ts": MAIN})
    head = MAIN.replace("  const row", "\n  const row").replace("return row;", "return row ?? null;")
    make_branch(repo, "work", {"src/main.ts": head})
    scan = dc(repo, "scan", "--base", "main")
    assert scan.returncode == 0 and "src/main.ts:6: DC701 background-code-changed [info]" in scan.stdout, scan.stdout
    assert "list its folder under `job_paths` in .deploycheck/config.yaml" in " ".join(scan.stdout.split())
    verify = dc(repo, "verify", "--base", "main")
    assert verify.returncode == 0
    assert ("PASS: nothing flagged; no risky change to jobs, queues or shared state (1 informational finding: "
            "`deploycheck scan` shows it).") in " ".join(verify.stdout.split()), verify.stdout


STARTER = """import { Client } from "@temporalio/client";

const client = new Client();

export async function schedule(id: string): Promise<void> {
  await client.workflow.start("process", { taskQueue: "process", args: [id] });
}
"""


def test_temporal_options_removed_with_temporal_itself_say_so(tmp_path) -> None:
    # platform d32e7b2f: the services moved from Temporal to Kafka and a Postgres poller; DC713
    # said of the removed `taskQueue` that "the workflow's own task queue now applies".
    from support.scanning import flagged_on_branch

    gone = ('import { producer } from "./kafka";\n\nexport async function schedule(id: string): Promise<void> {\n'
            '  await producer.send({ topic: "process", messages: [{ value: id }] });\n}\n')
    found = flagged_on_branch(tmp_path / "a", {"src/starter.ts": STARTER}, {"src/starter.ts": gone}, rule="DC713")
    assert [(f[1], f[2]) for f in found] == [(6, "base")]
    assert "which no longer uses Temporal" in found[0][4] and "own task queue" not in found[0][4]
    kept = STARTER.replace('{ taskQueue: "process", args: [id] }', "{ args: [id] }")
    found = flagged_on_branch(tmp_path / "b", {"src/starter.ts": STARTER}, {"src/starter.ts": kept}, rule="DC713")
    assert "the workflow's own task queue now applies" in found[0][4]
