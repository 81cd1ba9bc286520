# path: consumers/handlers.py
import json

import boto3
import pika
from google.cloud import pubsub_v1
from kafka import KafkaConsumer

from .models import Event, Order

sqs = boto3.client("sqs")


def on_order(ch, method, properties, body):  # error: DC102[warning]
    data = json.loads(body)
    Order.objects.create(reference=data["ref"])
    ch.basic_ack(delivery_tag=method.delivery_tag)


def on_ping(message):  # error: DC102[warning]
    print(message.data)
    message.ack()


def consume_kafka():  # error: DC102[warning]
    consumer = KafkaConsumer("events", group_id="loader")
    for message in consumer:
        Event.objects.create(payload=message.value)


def drain_sqs(queue_url):  # error: DC102[warning]
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        for message in response.get("Messages", []):
            Event.objects.create(payload=message["Body"])


def format_message(message):  # ok: DC102
    return json.dumps(message)


def main():
    channel = pika.BlockingConnection().channel()
    channel.basic_consume(queue="orders", on_message_callback=on_order)
    subscriber = pubsub_v1.SubscriberClient()
    subscriber.subscribe("projects/p/subscriptions/s", callback=on_ping)
