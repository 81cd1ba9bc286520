"""The files of `deploycheck demo`: a small Django-style shop and the incident that hit it.

On ``main`` a Celery task reserves stock with one atomic ``UPDATE … SET stock = stock - n``
(Django's ``F()`` expression). The branch ``inventory-refactor`` holds the "minor refactor, no
behavioral changes" that turns it into get / modify / save: two workers that read the same row
both write back their own result, and one reservation is lost.

Plain data only, so the demo needs no network, no template files and nothing from the user.
"""

from __future__ import annotations

BRANCH = "inventory-refactor"
REFACTOR_MESSAGE = "minor refactor, no behavioral changes"
JOB_PATH = "inventory/jobs.py"
PRINCIPAL = "dev@example.com"
AUTHOR_NAME = "Demo Developer"

README = """\
# Demo shop

A tiny Django-style shop built by `deploycheck demo`. The Celery task in
inventory/jobs.py reserves stock for an order.
"""

MODELS = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    stock = models.IntegerField(default=0)
"""

# main: one atomic UPDATE; concurrent workers cannot overwrite each other.
JOB_MAIN = """\
from celery import shared_task
from django.db.models import F

from .models import Product


@shared_task
def reserve_stock(product_id, quantity):
    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)
"""

# inventory-refactor: reads, computes and saves; the second of two workers wins.
JOB_BRANCH = """\
from celery import shared_task

from .models import Product


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.stock = product.stock - quantity
    product.save()
"""

CONCURRENCY_TEST = """\
import threading

from inventory.jobs import reserve_stock


def test_parallel_reservations_keep_every_decrement(product):
    threads = [threading.Thread(target=reserve_stock, args=(product.pk, 1)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    product.refresh_from_db()
    assert product.stock == 92
"""

MAIN_FILES: dict[str, str] = {
    "README.md": README,
    "inventory/__init__.py": "",
    "inventory/models.py": MODELS,
    JOB_PATH: JOB_MAIN,
    "tests/test_inventory_concurrency.py": CONCURRENCY_TEST,
}

BRANCH_FILES: dict[str, str] = {JOB_PATH: JOB_BRANCH}

# What the author answers once the findings are in front of them (used when stdin is not a
# terminal). The answers admit the lost update: a record documents the assessment, honestly.
ANSWERS = """\
# The demo's built-in answers (the format of `deploycheck check --answers FILE`).
shared-state: {answer: "yes", details: "decrements inventory.Product.stock, which the checkout API also writes"}
sequential-assumption: {answer: "yes", details: "the refactor reads, computes and saves stock; only the F() update or select_for_update makes it safe"}
concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
rollback-safe: "yes"
silent-failure: "Two workers reserving the same product at the same moment: both read 10, both save 9."
"""
