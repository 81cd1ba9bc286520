# path: ledger/jobs.py
from celery import shared_task

from ledger.db import distributed_mutex, traced_atomic

from .models import Account


# error: DC101[warning]
@shared_task
def settle(account_id, amount):
    with traced_atomic():  # error: DC201
        account = Account.objects.get(pk=account_id)
        account.balance += amount  # error: DC301
        account.save()


# error: DC101[warning]
@shared_task
def settle_serialised(account_id, amount):
    with distributed_mutex(f"account:{account_id}"):  # error: DC201
        account = Account.objects.get(pk=account_id)
        account.balance += amount  # ok: DC301
        account.save()
