# path: app/runners.py
"""Functions become job code when this file hands them to a runner."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from airflow.operators.python import PythonOperator
from django_q.tasks import async_task
from redis import Redis
from rq import Queue

from .models import Order

queue = Queue(connection=Redis())


def thread_body(order_id):  # error: DC101[warning]
    Order.objects.filter(pk=order_id).update(seen=True)


def pool_body(n):  # error: DC101[warning]
    return n * n


async def fetch_one(url):  # error: DC101[warning]
    await asyncio.sleep(0)
    return url


def rq_body(order_id):  # error: DC101[warning]
    Order.objects.get(pk=order_id).save()


def q_body(order_id):  # error: DC101[warning]
    return order_id


def airflow_body(**context):  # error: DC101[warning]
    return context


def not_a_job(order):  # ok: DC101
    order.status = "seen"
    order.save()


def start(order_ids, urls):
    threading.Thread(target=thread_body, args=(1,)).start()
    with ThreadPoolExecutor() as pool:
        pool.submit(pool_body, 3)
    asyncio.run(asyncio.gather(*[fetch_one(u) for u in urls]))
    queue.enqueue(rq_body, 1)  # error: DC103[info]
    async_task(q_body, 2)  # error: DC103
    PythonOperator(task_id="x", python_callable=airflow_body)
    task = "compute"  # ok: DC101
    worker = {"name": task}  # ok: DC101
    return worker
