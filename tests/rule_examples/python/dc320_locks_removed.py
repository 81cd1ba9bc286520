# path: billing/locks.py
"""Each kind of lock the issue names, removed in the head version (dc320_locks_removed.py)."""
from django.core.cache import cache
from django.db import connection
from redis import Redis
from sqlalchemy import select

from .models import Account, Invoice

r = Redis()


def credit(session, account_id, amount):
    account = session.execute(select(Account).where(Account.id == account_id)).scalar_one()  # error: DC301
    account.balance = account.balance + amount
    session.commit()


def nightly_invoices():
    for invoice in Invoice.objects.filter(sent=False):
        invoice.send()


def claim(job_id, worker):
    r.set(f"claim:{job_id}", worker, ex=60)
    return True


def rebuild_ledger(account_id):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger WHERE account_id = %s", [account_id])


def count_visit(page):
    visits = int(r.get(f"visits:{page}") or 0)  # error: DC303
    r.set(f"visits:{page}", visits + 1)


def first_run(key):
    if cache.get(f"ran:{key}"):  # error: DC312
        return False
    cache.set(f"ran:{key}", True, timeout=3600)
    return True
  # ok: DC303

def log_line(message):
    r.set("last-message", message.strip())
