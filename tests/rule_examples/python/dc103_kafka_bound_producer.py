# path: app/events.py
"""A Kafka send on a name bound to a producer in this file publishes, whatever the name; send()
on another object does not."""
from aiokafka import AIOKafkaProducer
from kafka import KafkaProducer

aio = AIOKafkaProducer(bootstrap_servers="kafka:9092")
mailer = object()


async def publish(event):
    await aio.send_and_wait("events", event)  # error: DC103[info]
    async with AIOKafkaProducer(bootstrap_servers="kafka:9092") as out:
        await out.send("audit", event)  # error: DC103[info]
    mailer.send(event)  # ok: DC103


def publish_sync(event):
    sink = KafkaProducer(bootstrap_servers="kafka:9092")
    sink.send("events", event)  # error: DC103[info]
