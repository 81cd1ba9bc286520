# path: notify/emails.py
"""Whether a call waits for the work it starts (head: dc201_blocking_call.py)."""
import queue
import threading

outbox = queue.Queue()


def send(message, block=False):
    worker = threading.Thread(target=message.send)
    if block:
        worker.run()
    else:
        worker.start()


def alert(message):
    send(message, block=True)  # error: DC201[warning]


def digest(message):
    # ok: DC201
    send(message)  # unchanged: still sent on a thread


def enqueue(message):
    outbox.put(message, block=False)  # error: DC201[warning]
