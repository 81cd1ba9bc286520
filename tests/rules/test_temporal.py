"""Temporal's workflows and activities as background code, on real git repositories and real
tree-sitter: which code the SDKs and the NestJS wrappers make a workflow or an activity
(rules/trees/background.py), the trail from a workflow to an activity of another file
(rules/trees/reach.py), the options rule (DC713) and the determinism rule (DC714)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse


def _findings(tmp_path: Path, main: dict, branch: dict, rule: str | None = None) -> list:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [f for f in found if rule is None or f.rule == rule]


def _flagged(findings: list) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.rule) for f in findings if f.severity in ("warning", "high"))


WORKFLOW = """import { proxyActivities } from "@temporalio/workflow";
import type * as activities from "../activities/billing";

const { charge } = proxyActivities<typeof activities>({ startToCloseTimeout: "1 minute" });

export async function billingWorkflow(id: string): Promise<void> {
  await charge(id);
}
"""
ACTIVITIES = """import { db } from "../db";

export async function charge(id: string): Promise<void> {
  await db.orders.update({ where: { id }, data: { charged: true } });
}
"""


def test_an_activity_of_another_file_is_reached_from_the_workflow_that_proxies_it(tmp_path) -> None:
    # The activities module names no Temporal API: the workflow calls its function by name.
    main = {"src/workflows/billing.ts": WORKFLOW, "src/activities/billing.ts": ACTIVITIES}
    branch = {"src/activities/billing.ts": ACTIVITIES.replace("charged: true", "charged: true, at: new Date()")}
    found = _findings(tmp_path, main, branch, "DC701")
    assert _flagged(found) == [("src/activities/billing.ts", 4, "DC701")]
    assert "Temporal workflow at src/workflows/billing.ts:4 (`const { charge } = proxyActivities" in found[0].message


def test_a_module_importing_only_types_of_the_workflow_sdk_is_no_workflow(tmp_path) -> None:
    # `import type` is erased by the compiler: the module does not run in the workflow sandbox.
    source = WORKFLOW.replace('import { proxyActivities } from "@temporalio/workflow";',
                              'import type { ActivityOptions } from "@temporalio/workflow";').replace(
        "const { charge } = proxyActivities<typeof activities>({ startToCloseTimeout: \"1 minute\" });",
        "export const options: ActivityOptions = { startToCloseTimeout: \"1 minute\" };").replace(
        "await charge(id);", "return;")
    main = {"src/options.ts": source}
    branch = {"src/options.ts": source.replace("return;", "return undefined;")}
    assert _flagged(_findings(tmp_path, main, branch)) == []


ACTIVITY_MODULE = """import { Context } from "@temporalio/activity";
import { db } from "./db";

export async function refund(id: string): Promise<void> {
  Context.current().heartbeat();
  await db.orders.update({ where: { id }, data: { refunded: true } });
}
"""


def test_a_module_importing_the_activity_sdk_holds_activities(tmp_path) -> None:
    main = {"src/refund.ts": ACTIVITY_MODULE}
    branch = {"src/refund.ts": ACTIVITY_MODULE.replace("refunded: true", "refunded: true, at: new Date()")}
    found = _findings(tmp_path, main, branch, "DC701")
    assert _flagged(found) == [("src/refund.ts", 6, "DC701")]
    assert "(Temporal activity)" in found[0].message


NEST = """import { Injectable } from "@nestjs/common";
import { TemporalService } from "nestjs-temporal-core";
import { Activity } from "./audit";

@Injectable()
@Activity()
export class AuditTrail {
  constructor(private readonly temporal: TemporalService) {}

  record(entry: string) {
    return entry.trim();
  }
}
"""


def test_a_decorator_named_like_a_wrappers_counts_only_when_imported_from_temporal(tmp_path) -> None:
    # The file uses nestjs-temporal-core, but its `@Activity` is the application's own decorator.
    main = {"src/audit-trail.ts": NEST}
    branch = {"src/audit-trail.ts": NEST.replace("entry.trim()", "entry.trim().toLowerCase()")}
    assert _flagged(_findings(tmp_path, main, branch)) == []
    # From the wrapper, the same class is an activity.
    wrapped = NEST.replace('import { Activity } from "./audit";\n', "").replace(
        "import { TemporalService }", "import { Activity, TemporalService }")
    main = {"src/audit-trail.ts": wrapped}
    branch = {"src/audit-trail.ts": wrapped.replace("entry.trim()", "entry.trim().toLowerCase()")}
    found = _findings(tmp_path / "wrapped", main, branch, "DC701")
    assert _flagged(found) == [("src/audit-trail.ts", 10, "DC701")]
    assert "(Temporal activity)" in found[0].message


GO_ACTIVITIES = """package activities

import (
	"context"
	"database/sql"
)

type Billing struct{ DB *sql.DB }

func (b *Billing) Capture(ctx context.Context, id string) error {
	_, err := b.DB.ExecContext(ctx, "UPDATE orders SET captured = true WHERE id = $1", id)
	return err
}
"""
GO_WORKFLOW = """package workflows

import (
	"time"

	"example.com/shop/activities"
	"go.temporal.io/sdk/workflow"
)

func Checkout(ctx workflow.Context, id string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var b *activities.Billing
	return workflow.ExecuteActivity(ctx, b.Capture, id).Get(ctx, nil)
}
"""


def test_a_go_activity_of_another_package_is_reached_from_the_workflow(tmp_path) -> None:
    main = {"go.mod": "module example.com/shop\n\ngo 1.22\n", "activities/billing.go": GO_ACTIVITIES,
            "workflows/checkout.go": GO_WORKFLOW}
    branch = {"activities/billing.go": GO_ACTIVITIES.replace("captured = true", "captured = true, at = now()")}
    found = _findings(tmp_path, main, branch, "DC701")
    assert _flagged(found) == [("activities/billing.go", 11, "DC701")]
    assert "Temporal workflow at workflows/checkout.go:13" in found[0].message


KOTLIN = """package shop

import io.temporal.activity.ActivityInterface

@ActivityInterface
interface Payments {
    fun capture(id: String)
}

class PaymentsImpl(private val gateway: Gateway) : Payments {
    override fun capture(id: String) {
        gateway.capture(id)
    }
}
"""


def test_a_kotlin_class_implementing_an_activity_interface_is_an_activity(tmp_path) -> None:
    main = {"src/main/kotlin/shop/Payments.kt": KOTLIN}
    branch = {"src/main/kotlin/shop/Payments.kt": KOTLIN.replace("gateway.capture(id)", "gateway.capture(id, true)")}
    found = _findings(tmp_path, main, branch, "DC701")
    assert _flagged(found) == [("src/main/kotlin/shop/Payments.kt", 12, "DC701")]
    assert "Temporal activity implementation" in found[0].message


OPTIONS = """import { proxyActivities } from "@temporalio/workflow";
import type * as activities from "./activities";

const { publish } = proxyActivities<typeof activities>({
  startToCloseTimeout: "10 minutes",
  retry: { maximumAttempts: 3, initialInterval: "2 minutes" },
});

export async function post(id: string): Promise<void> {
  await publish(id);
}
"""


def test_options_the_same_on_both_sides_are_no_change(tmp_path) -> None:
    # Re-indented and reordered keys: the same settings.
    moved = OPTIONS.replace('  startToCloseTimeout: "10 minutes",\n  retry: { maximumAttempts: 3, initialInterval: "2 minutes" },\n',
                            '  retry: {\n    maximumAttempts: 3,\n    initialInterval: "2 minutes",\n  },\n'
                            '  startToCloseTimeout:  "10 minutes",\n')
    assert moved != OPTIONS
    assert _findings(tmp_path, {"src/workflows.ts": OPTIONS}, {"src/workflows.ts": moved}, "DC713") == []


def test_one_option_finding_per_line_the_innermost_setting(tmp_path) -> None:
    changed = OPTIONS.replace("maximumAttempts: 3", "maximumAttempts: 1")
    found = _findings(tmp_path, {"src/workflows.ts": OPTIONS}, {"src/workflows.ts": changed}, "DC713")
    assert [(f.line, f.side) for f in found] == [(6, "head")]
    assert "maximumAttempts changed from `3` to `1`" in found[0].message


def test_options_of_a_new_file_are_left_to_the_code_rule(tmp_path) -> None:
    # A new workflow version is new background code (DC701), not a change of settings.
    found = _findings(tmp_path, {"README.md": "shop\n"}, {"src/workflows.ts": OPTIONS})
    assert [f.rule for f in found if f.rule == "DC713"] == []
    assert ("src/workflows.ts", 4, "DC701") in _flagged(found)


def test_options_of_a_file_that_does_not_use_temporal_are_not_read(tmp_path) -> None:
    # `retry` and `taskQueue` are common words: only Temporal's count.
    source = 'import axios from "axios";\n\nexport const client = axios.create({ retry: { maximumAttempts: 3 } });\n'
    found = _findings(tmp_path, {"src/http.ts": source},
                      {"src/http.ts": source.replace("maximumAttempts: 3", "maximumAttempts: 5")}, "DC713")
    assert found == []


GO_CLOCK = """package billing

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

func Expiry(ctx workflow.Context, start time.Time) bool {
	elapsed := time.Since(start)
	return elapsed > time.Hour
}
"""


def test_a_clock_read_the_workflow_already_made_is_not_new(tmp_path) -> None:
    # The call moved into the condition: as many reads of the clock as before.
    moved = GO_CLOCK.replace("\telapsed := time.Since(start)\n\treturn elapsed > time.Hour\n",
                             "\treturn time.Since(start) > time.Hour\n")
    found = _findings(tmp_path, {"billing/expiry.go": GO_CLOCK}, {"billing/expiry.go": moved})
    assert [f.rule for f in found if f.rule == "DC714"] == []
    assert ("billing/expiry.go", 10, "DC701") in _flagged(found)


ACTIVITY_WITH_CONSTANTS = """import { Context } from "@temporalio/activity";

const BATCH = 100;
const LABEL = "refund";

export async function refund(ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    Context.current().heartbeat(i);
  }
}
"""


def test_a_module_private_constant_is_followed_to_the_functions_that_read_it(tmp_path) -> None:
    # The Temporal activity module's statements are all activity code; a constant of a module
    # whose only reader is a function reached by nothing stays unflagged.
    main = {"src/refund.ts": ACTIVITY_WITH_CONSTANTS}
    branch = {"src/refund.ts": ACTIVITY_WITH_CONSTANTS.replace("const BATCH = 100;", "const BATCH = 10;")}
    assert _flagged(_findings(tmp_path, main, branch)) == [("src/refund.ts", 3, "DC701")]
    plain = ACTIVITY_WITH_CONSTANTS.replace('import { Context } from "@temporalio/activity";',
                                            'import { Worker } from "bullmq";\nimport { log } from "./log";').replace(
        "Context.current().heartbeat(i);", "log(i);")
    plain += '\nexport function label(): string {\n  return LABEL;\n}\n\nnew Worker("refunds", async (job) => refund(job.data.ids));\n'
    main = {"src/refund.ts": plain}
    # BATCH is read by `refund`, which the worker runs; LABEL only by `label`, which nothing runs.
    branch = {"src/refund.ts": plain.replace("const BATCH = 100;", "const BATCH = 10;").replace(
        'const LABEL = "refund";', 'const LABEL = "refunds";')}
    assert _flagged(_findings(tmp_path / "plain", main, branch)) == [("src/refund.ts", 4, "DC701")]


JAVA_ACTIVITY = """package shop;

import io.temporal.failure.ApplicationFailure;

public class PaymentActivitiesImpl implements PaymentActivities {
    private final Gateway gateway;

    PaymentActivitiesImpl(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void capture(String id) {
        if (!gateway.capture(id)) {
            throw ApplicationFailure.newFailure("declined", "Declined");
        }
    }
}
"""


def test_a_java_class_implementing_an_activities_interface_of_another_file_is_an_activity(tmp_path) -> None:
    # The interface is in another file, and the activity uses the SDK only for its failure type.
    main = {"src/main/java/shop/PaymentActivitiesImpl.java": JAVA_ACTIVITY}
    branch = {"src/main/java/shop/PaymentActivitiesImpl.java": JAVA_ACTIVITY.replace(
        "gateway.capture(id)", "gateway.capture(id, true)")}
    found = _findings(tmp_path, main, branch, "DC701")
    assert _flagged(found) == [("src/main/java/shop/PaymentActivitiesImpl.java", 14, "DC701")]
    assert "Temporal activity implementation" in found[0].message
    # Without any Temporal import, a class named for activities is only a name.
    plain = JAVA_ACTIVITY.replace("import io.temporal.failure.ApplicationFailure;\n", "").replace(
        'throw ApplicationFailure.newFailure("declined", "Declined");', 'throw new IllegalStateException("declined");')
    main = {"src/main/java/shop/PaymentActivitiesImpl.java": plain}
    branch = {"src/main/java/shop/PaymentActivitiesImpl.java": plain.replace("gateway.capture(id)", "gateway.capture(id, true)")}
    assert _flagged(_findings(tmp_path / "plain", main, branch)) == []


ACTIVITY_PY = ("{imports}\n\n\n{decorator}\nasync def reserve(order_id: int) -> None:\n"
               "    Order.objects.filter(id=order_id).update(reserved=True)\n")
WORKFLOW_PY = ("{imports}\n\n\n{decorator}\nclass Checkout:\n    {run}\n    async def run(self, order_id: int) -> int:\n"
               "        return order_id + 1\n")


@pytest.mark.parametrize("imports,decorator", [
    ("from temporalio import activity as act", "@act.defn"),
    ("from temporalio.activity import defn", "@defn"),
    ("import temporalio.activity as ta", '@ta.defn(name="reserve-order")'),
])
def test_a_python_activity_decorated_through_an_alias_is_job_code(tmp_path, imports: str, decorator: str) -> None:
    # The decorator is temporalio's `activity.defn` under another name: the import binds it.
    source = ACTIVITY_PY.format(imports=imports, decorator=decorator)
    found = _findings(tmp_path, {"orders/acts.py": source},
                      {"orders/acts.py": source.replace("reserved=True", "reserved=False")}, "DC101")
    assert _flagged(found) == [("orders/acts.py", 6, "DC101")]
    assert "Temporal activity `reserve`" in found[0].message


def test_a_python_workflow_decorated_through_an_alias_is_job_code(tmp_path) -> None:
    source = WORKFLOW_PY.format(imports="from temporalio import workflow as wf", decorator="@wf.defn", run="@wf.run")
    found = _findings(tmp_path, {"orders/wf.py": source}, {"orders/wf.py": source.replace("+ 1", "+ 2")}, "DC101")
    assert _flagged(found) == [("orders/wf.py", 8, "DC101")]
    # A module of the application named `activity` is not temporalio's.
    own = ACTIVITY_PY.format(imports="import temporalio\nfrom orders import activity", decorator="@activity.defn")
    assert _flagged(_findings(tmp_path / "own", {"orders/acts.py": own},
                              {"orders/acts.py": own.replace("reserved=True", "reserved=False")}, "DC101")) == []


JAVA_WORKFLOW = """package shop;

import io.temporal.workflow.Workflow;
{imports}

public class OrderWorkflowImpl implements OrderWorkflow {{
    private final OrderActivities activities = Workflow.newActivityStub(OrderActivities.class, OPTIONS);

    @Override
    public void process(String orderId) {{
        activities.charge(orderId, "k");
    }}
}}
"""
KOTLIN_WORKFLOW = """package shop

import io.temporal.workflow.Workflow
{imports}

class OrderWorkflowImpl : OrderWorkflow {{
    override fun process(orderId: String) {{
        println(orderId)
    }}
}}
"""
GO_BARE_WORKFLOW = """package app

import (
	"go.temporal.io/sdk/workflow"
	{imports}
)

func Checkout(ctx workflow.Context, id string) error {{
	return nil
}}
"""


@pytest.mark.parametrize("path,template,anchor,imports,line", [
    ("src/main/java/shop/OrderWorkflowImpl.java", JAVA_WORKFLOW, 'activities.charge(orderId, "k");', "",
     "String key = java.util.UUID.randomUUID().toString();"),
    ("src/main/java/shop/OrderWorkflowImpl.java", JAVA_WORKFLOW, 'activities.charge(orderId, "k");', "",
     "int n = new java.util.Random().nextInt();"),
    ("src/main/java/shop/OrderWorkflowImpl.java", JAVA_WORKFLOW, 'activities.charge(orderId, "k");',
     "import static java.lang.System.currentTimeMillis;", "long t = currentTimeMillis();"),
    ("src/main/java/shop/OrderWorkflowImpl.java", JAVA_WORKFLOW, 'activities.charge(orderId, "k");',
     "import java.util.concurrent.ThreadLocalRandom;", "int n = ThreadLocalRandom.current().nextInt();"),
    ("src/main/kotlin/shop/OrderWorkflowImpl.kt", KOTLIN_WORKFLOW, "println(orderId)",
     "import kotlin.random.Random", "val n = Random.nextInt()"),
    ("src/main/kotlin/shop/OrderWorkflowImpl.kt", KOTLIN_WORKFLOW, "println(orderId)", "",
     "val k = java.util.UUID.randomUUID()"),
    ("app/wf.go", GO_BARE_WORKFLOW, "\treturn nil", '. "time"', "_ = Now()"),
    ("app/wf.go", GO_BARE_WORKFLOW, "\treturn nil", '"github.com/google/uuid"', "_ = uuid.New()"),
])
def test_a_clock_or_randomness_read_in_another_spelling_is_nondeterministic(tmp_path, path: str, template: str,
                                                                           anchor: str, imports: str, line: str) -> None:
    # The package written out, a static import, ThreadLocalRandom, Kotlin's Random object, a Go
    # dot import, a random UUID: each differs when the workflow is replayed.
    base = template.format(imports=imports)
    indent = "\t" if anchor.startswith("\t") else "        "
    head = base.replace(anchor, f"{line}\n{indent}{anchor.strip()}")
    added = next(number for number, text in enumerate(head.split("\n"), 1) if text.strip() == line)
    found = _findings(tmp_path, {path: base, "go.mod": "module app\n"}, {path: head}, "DC714")
    assert [f.line for f in found] == [added]


@pytest.mark.parametrize("alias,context", [("wf", "wf.Context"), (".", "Context")])
def test_a_go_workflow_whose_sdk_is_imported_under_another_name_is_a_workflow(tmp_path, alias: str, context: str) -> None:
    source = (f'package app\n\nimport (\n\t"time"\n\n\t{alias} "go.temporal.io/sdk/workflow"\n)\n\n'
              f"func Checkout(ctx {context}, id string) error {{\n\tn := len(id)\n\t_ = n\n\treturn nil\n}}\n")
    found = _findings(tmp_path, {"app/wf.go": source, "go.mod": "module app\n"},
                      {"app/wf.go": source.replace("n := len(id)", "n := len(id) + time.Now().Second()")})
    assert _flagged(found) == [("app/wf.go", 10, "DC701"), ("app/wf.go", 10, "DC714")]
