# path: billing/held.py
"""Statements and querysets kept in a variable and run later: the lock (or its absence) travels with them."""
from django.db import transaction
from sqlalchemy import select

from .models import Account, Product


def charge_locked_statement(session, account_id, amount):
    # error: DC201
    stmt = select(Account).where(Account.id == account_id).with_for_update()
    account = session.execute(stmt).scalar_one()
    account.balance = account.balance - amount  # ok: DC301
    session.commit()


def charge_refined_statement(session, account_id, amount):
    stmt = select(Account).with_for_update()  # error: DC201
    stmt = stmt.where(Account.id == account_id)
    account = session.scalars(stmt).one()
    account.balance -= amount  # ok: DC301
    session.commit()


def charge_unlocked_statement(session, account_id, amount):
    stmt = select(Account).where(Account.id == account_id)
    account = session.execute(stmt).scalar_one()
    account.balance = account.balance - amount  # error: DC301
    session.commit()


def reserve_locked_queryset(product_id, quantity):
    with transaction.atomic():  # error: DC201
        qs = Product.objects.select_for_update()  # error: DC201
        product = qs.get(pk=product_id)
        product.stock = product.stock - quantity  # ok: DC301
        product.save()


def reserve_locked_queryset_loop(order):
    with transaction.atomic():  # error: DC201
        products = Product.objects.select_for_update().filter(order=order)  # error: DC201
        for product in products:
            product.stock -= 1  # ok: DC301
            product.save()


def reserve_unlocked_queryset(product_id, quantity):
    qs = Product.objects.filter(active=True)
    product = qs.get(pk=product_id)
    product.stock = product.stock - quantity  # error: DC301
    product.save()


def reserve_rebound_queryset(product_id, quantity):
    qs = Product.objects.select_for_update()  # error: DC201
    qs = Product.objects.filter(active=True)
    product = qs.get(pk=product_id)
    product.stock = product.stock - quantity  # error: DC301
    product.save()


def count_only(product_id):
    qs = Product.objects.select_for_update().filter(pk=product_id).count()  # error: DC201
    total = qs.get()
    total.value = total.value + 1  # ok: DC301
    total.save()
