# path: shop/broadcast.py
# A local the send hands on as its option (`countdown=countdown`) is the option's value; both go.
from celery import shared_task


@shared_task
def broadcast(sender_id, activity):
    pass


def send(sender, activity, delayed):
    countdown = (  # error: DC515
        10
        if delayed
        else 0
    )
    broadcast.apply_async(
        countdown=countdown,  # error: DC515
        args=(sender.id, activity),
    )
