# path: orders/views.py
from django.db import transaction

from .models import Order
from .tasks import send_receipt, sync_crm


def checkout(request):
    with transaction.atomic():  # error: DC201
        order = Order.objects.create(customer=request.user)
        send_receipt.delay(order.pk)  # error: DC103[warning]
        transaction.on_commit(lambda: sync_crm.delay(order.pk))  # error: DC103[info], DC201
    return order


def resend(request, order_id):
    send_receipt.apply_async(args=(order_id,), countdown=10)  # error: DC103[info], DC515
    return "ok"


def describe(pool, items):
    return pool.apply_async(len, (items,))  # ok: DC103
