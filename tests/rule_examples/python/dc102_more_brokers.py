# path: streams/consumers.py
import redis
from aiokafka import AIOKafkaConsumer
from confluent_kafka import Consumer, Producer
from kombu.mixins import ConsumerMixin

from .models import Event

r = redis.Redis()
producer = Producer({"bootstrap.servers": "kafka:9092"})


def confluent_loop():  # error: DC102[warning]
    consumer = Consumer({"group.id": "loader"})
    while True:
        message = consumer.poll(1.0)
        Event.objects.create(payload=message.value())


async def aio_loop():  # error: DC102[warning]
    consumer = AIOKafkaConsumer("events")
    async for message in consumer:
        print(message.value)


def pubsub_loop():  # error: DC102[warning]
    pubsub = r.pubsub()
    pubsub.subscribe("events")
    for message in pubsub.listen():
        r.incr("events:seen")  # error: DC202


def stream_loop():  # error: DC102[warning]
    while True:
        for _stream, entries in r.xreadgroup("grp", "c1", {"events": ">"}):
            print(entries)


class Worker(ConsumerMixin):
    def get_consumers(self, Consumer, channel):  # error: DC102[warning]
        return [Consumer(queues=[], callbacks=[self.on_message])]

    def on_message(self, body, message):  # error: DC102[warning]
        Event.objects.create(payload=body)
        message.ack()


def publish(event):
    producer.produce("events", value=event)  # error: DC103[info]
    r.xadd("events", {"body": event})  # error: DC103
    r.publish("events", event)  # error: DC103
