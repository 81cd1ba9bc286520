# path: app/schedules.py
import asyncio
import multiprocessing
import threading

from airflow.decorators import dag, task
from airflow.models import BaseOperator
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from arq import cron
from celery import Celery
from django.db.models.signals import post_delete

from .models import Order, Snapshot

app = Celery("shop")
scheduler = AsyncIOScheduler()


async def arq_sync(ctx, order_id):  # error: DC101[warning]
    await Order.objects.filter(pk=order_id).aupdate(synced=True)


async def arq_nightly(ctx):  # error: DC101[warning]
    return "done"


class WorkerSettings:
    functions = [arq_sync]
    cron_jobs = [cron(arq_nightly, hour=3)]


def snapshot():  # error: DC101[warning]
    Snapshot.objects.create(total=Order.objects.count())


def beat_cleanup():  # error: DC101[warning]
    return None


# error: DC505
app.conf.beat_schedule = {"cleanup": {"task": "app.schedules.beat_cleanup", "schedule": 60.0}}


@dag(schedule="@daily")  # error: DC101[warning]
def nightly():
    @task  # error: DC101[warning]
    def export():
        return Order.objects.filter(exported=False).count()

    export()


class ExportOperator(BaseOperator):
    def execute(self, context):  # error: DC101[warning]
        Order.objects.filter(exported=False).update(exported=True)  # error: DC202


def on_delete(sender, instance, **kwargs):  # error: DC101[warning]
    Snapshot.objects.filter(order=instance).delete()


class Poller(threading.Thread):
    def __init__(self):  # ok: DC101
        super().__init__(daemon=True)

    def run(self):  # error: DC101[warning]
        print("polling")


def crunch(n):  # error: DC101[warning]
    return n ** 2


async def refresh(order_id):  # error: DC101[warning]
    order = await Order.objects.aget(pk=order_id)
    order.version = order.version + 1  # error: DC301
    await order.asave()


async def main(ids):
    scheduler.add_job(snapshot, "interval", minutes=5)  # error: DC103[info], DC515
    post_delete.connect(on_delete, sender=Order)
    multiprocessing.Process(target=crunch, args=(3,)).start()
    await asyncio.gather(*(refresh(i) for i in ids))
