# path: inventory/allocation.py
import threading

from django.db import transaction

from .models import Product, Reservation

_registry_lock = threading.Lock()


def allocate(product_id, quantity):
    with transaction.atomic():  # error: DC201[warning]
        product = Product.objects.select_for_update().get(pk=product_id)  # error: DC201
        Reservation.objects.create(product=product, quantity=quantity)


def next_batch(size):
    with transaction.atomic():
        return list(Reservation.objects.select_for_update(skip_locked=True).filter(done=False)[:size])  # error: DC201


def register(name, registry, logger):
    logger.info("registering %s", name)
    with _registry_lock:  # ok: DC201
        registry[name] = True


def audit(product_id):
    # Re-indented and commented, but the same transaction.
    with transaction.atomic():  # ok: DC201
        return Product.objects.get(pk=product_id)
