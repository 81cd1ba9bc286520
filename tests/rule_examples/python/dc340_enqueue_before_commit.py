# path: shop/views.py
"""Work enqueued before the state it needs is committed or written."""
import os
import tempfile

from django.db import transaction

from .models import Order
from .tasks import consume_file, mark_settled, notify_settled, send_confirmation


def place_order(user):
    with transaction.atomic():  # error: DC201
        order = Order.objects.create(user=user)
        send_confirmation.delay(order.pk)  # ok: DC340  # error: DC103[warning]


def place_order_on_commit(user):
    with transaction.atomic():  # error: DC201
        order = Order.objects.create(user=user)
        transaction.on_commit(lambda: send_confirmation.delay(order.pk))  # ok: DC340  # error: DC103, DC201


def mark_paid(order):
    send_confirmation.apply_async(args=[order.pk], countdown=5)  # error: DC340, DC103, DC515
    order.paid = True
    order.save(update_fields=["paid"])


def mark_paid_first(order):
    order.paid = True
    order.save(update_fields=["paid"])
    send_confirmation.delay(order.pk)  # ok: DC340  # error: DC103


def settle(session, invoice_id):
    with session.begin():  # error: DC201
        session.execute(mark_settled(invoice_id))
        notify_settled.send_with_options(args=(invoice_id,))  # error: DC340


def upload(data, name):
    with tempfile.NamedTemporaryFile(prefix="upload-", delete=False) as f:
        f.write(data)
        consume_file.delay(f.name, name)  # error: DC340, DC103


def upload_closed(data, name):
    with tempfile.NamedTemporaryFile(prefix="upload-", delete=False) as f:
        f.write(data)
    consume_file.delay(f.name, name)  # ok: DC340  # error: DC103
