# path: shop/orders.py
from django.db import transaction

from .models import Order
from .tasks import send_confirmation


@transaction.atomic  # error: DC340, DC201
def place_order(user):
    order = Order.objects.create(user=user)
    send_confirmation.delay(order.pk)
    return order
