# path: broker/dead_letters.py
"""Moving a message to the dead-letter queue in two calls."""


class DeadLetters:
    def __init__(self, broker, client):
        self.broker, self.client = broker, client

    def reject(self, message):
        self.broker.enqueue(message.copy(queue_name="dead"))  # error: DC340[warning]
        self.broker.ack(message)

    def reject_atomically(self, message):
        with self.client.pipeline() as pipe:
            pipe.rpush("dead", message.encode())  # ok: DC340
            pipe.lrem("work", 1, message.encode())
            pipe.execute()
