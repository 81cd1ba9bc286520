# path: orders/temporal.py
"""temporalio: activities, a workflow's methods and what a Worker registers are job code."""
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.worker import Worker

from orders.models import Order


@activity.defn  # error: DC101[warning]
async def reserve(order_id: int) -> None:
    Order.objects.filter(id=order_id).update(reserved=True)


async def notify(order_id: int) -> None:  # error: DC101[warning]
    Order.objects.filter(id=order_id).update(notified=True)


def total(order_id: int) -> int:  # ok: DC101
    return Order.objects.get(id=order_id).total


@workflow.defn
class Checkout:
    @workflow.run  # error: DC101[warning]
    async def run(self, order_id: int) -> None:
        await workflow.execute_activity(reserve, order_id, start_to_close_timeout=timedelta(seconds=30))  # error: DC515

    def _later(self) -> timedelta:  # error: DC101[warning]
        return timedelta(minutes=5)


async def main(client) -> None:
    await Worker(client, task_queue="orders", workflows=[Checkout], activities=[reserve, notify]).run()  # error: DC515
