# path: inventory/allocation.py
import threading

from django.db import transaction

from .models import Product, Reservation

_registry_lock = threading.Lock()


def allocate(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    Reservation.objects.create(product=product, quantity=quantity)


def next_batch(size):
    with transaction.atomic():
        return list(Reservation.objects.select_for_update().filter(done=False)[:size])


def register(name, registry):
    with _registry_lock:
        registry[name] = True


def audit(product_id):
    with transaction.atomic():
        return Product.objects.get(pk=product_id)
