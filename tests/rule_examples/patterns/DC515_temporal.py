# path: orders/workflows.py
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from orders.activities import charge


@workflow.defn
class Checkout:
    @workflow.run
    async def run(self, order_id: int) -> None:
        await workflow.execute_activity(
            charge,
            order_id,
            start_to_close_timeout=timedelta(minutes=30),  # error: DC515, DC101
            retry_policy=RetryPolicy(maximum_attempts=5),  # error: DC515
        )
