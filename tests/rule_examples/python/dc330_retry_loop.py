# path: alerts/transports.py
"""Hand-written retry loops (head: dc330_retry_loop.py)."""
import time


class TransportError(Exception):
    permanent = False


class Sms:
    def notify(self, phone, text):
        tries_left = 2
        while True:  # error: DC330[warning]
            try:
                return self.send(phone, text)
            except TransportError as e:
                tries_left -= 1
                if e.permanent or tries_left == 0:
                    raise
                time.sleep(1)

    def status(self, message_id):
        for _attempt in range(3):  # ok: DC330 (reads only: nothing is repeated by a retry)
            try:
                return self.fetch_status(message_id)
            except TransportError:
                time.sleep(1)
        return None

    def drain(self, outbox):
        for message in outbox:  # ok: DC330 (goes on to the next message, never retries one)
            try:
                self.send(message.phone, message.text)
            except TransportError:
                continue
