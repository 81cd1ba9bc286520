# path: shop/broadcast.py
# A local computed for the send is no task option of its own; the send's keyword is.
from celery import shared_task


@shared_task
def broadcast(sender_id, activity):
    pass


def send(sender, activity, delayed):
    countdown = (  # ok: DC515
        10
        if delayed
        else 0
    )
    broadcast.apply_async(
        countdown=countdown,  # error: DC515
        args=(sender.id, activity),
    )
