# path: alerts/transports.py
"""Hand-written retry loops (head: dc330_retry_loop.py)."""
import time


class TransportError(Exception):
    permanent = False


class Sms:
    def notify(self, phone, text):
        self.send(phone, text)

    def status(self, message_id):
        return self.fetch_status(message_id)

    def drain(self, outbox):
        for message in outbox:
            self.send(message.phone, message.text)
