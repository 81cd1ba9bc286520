# path: app/dispatch.py
"""Each framework's own way of running a function as a job or publishing work, beside
look-alikes (a web route, a plain send(), a mailer) that are ordinary code."""
import asyncio
import multiprocessing
import threading

import boto3
import django_rq
import dramatiq
import pika
from aiokafka import AIOKafkaProducer
from arq.connections import ArqRedis
from celery import current_app
from django_q.tasks import schedule
from google.cloud import pubsub_v1
from huey import RedisHuey
from kafka import KafkaProducer

from .models import Order

huey = RedisHuey("shop")
producer = KafkaProducer(bootstrap_servers="kafka:9092")
publisher = pubsub_v1.PublisherClient()
sqs = boto3.client("sqs")
mailer = object()


@huey.task()  # error: DC101[warning]
def huey_close(order_id):
    Order.objects.filter(pk=order_id).update(closed=True)


@dramatiq.actor  # error: DC101[warning]
def notify(order_id):
    return order_id


@django_rq.job("default")  # error: DC101[warning]
def rq_export(order_id):
    return order_id


def q_nightly():  # error: DC101[warning]
    Order.objects.filter(stale=True).delete()


def timer_body():  # error: DC101[warning]
    return None


def pool_body(n):  # error: DC101[warning]
    return n + 1


async def coroutine_body(order_id):  # error: DC101[warning]
    await Order.objects.filter(pk=order_id).aupdate(seen=True)


def route(path):  # ok: DC101
    return lambda fn: fn


@route("/orders")  # ok: DC101
def list_orders(request):
    return Order.objects.all()  # ok: DC101


def send(message):  # ok: DC101
    return message


async def dispatch(redis: ArqRedis, order_id):  # ok: DC101
    current_app.send_task("shop.tasks.recount", args=[order_id])  # error: DC103[info]
    notify.send(order_id)  # error: DC103[info]
    send("hello")  # ok: DC103
    mailer.send("hello")  # ok: DC103
    await redis.enqueue_job("rq_export", order_id)  # error: DC103[info]
    django_rq.enqueue(rq_export, order_id)  # error: DC103[info]
    schedule("app.dispatch.q_nightly", schedule_type="D")  # error: DC103[info]
    producer.send("orders", b"created")  # error: DC103[info]
    threading.Timer(5.0, timer_body).start()
    with multiprocessing.Pool(2) as workers:
        workers.map(pool_body, [1, 2])
    asyncio.create_task(coroutine_body(order_id))
    list_orders(None)


async def publish_everywhere(channel, body):  # ok: DC101
    kafka_producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")
    await kafka_producer.send_and_wait("orders", body)  # error: DC103[info]
    channel.basic_publish(exchange="", routing_key="orders", body=body)  # error: DC103[info]
    publisher.publish("projects/p/topics/orders", body)  # error: DC103[info]
    sqs.send_message(QueueUrl="https://sqs/orders", MessageBody=body)  # error: DC103[info]
    pika.BasicProperties(delivery_mode=2)  # ok: DC103
