# path: shop/views.py
from celery import shared_task


@shared_task
def send_receipt(order_id):
    pass


def checkout(order):
    send_receipt.apply_async(
        args=(order.pk,),
        countdown=10,  # error: DC515
    )
