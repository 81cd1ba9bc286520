# path: billing/locks.py
"""Each kind of lock the issue names, removed in the head version (dc320_locks_removed.py)."""
from django.core.cache import cache
from django.db import connection
from redis import Redis
from sqlalchemy import select

from .models import Account, Invoice

r = Redis()


def credit(session, account_id, amount):
    account = session.execute(select(Account).where(Account.id == account_id).with_for_update()).scalar_one()  # error: DC320[high]
    account.balance = account.balance + amount
    session.commit()


def nightly_invoices():
    with r.lock("invoices:nightly", timeout=600):  # error: DC320
        for invoice in Invoice.objects.filter(sent=False):
            invoice.send()


def claim(job_id, worker):
    if not r.set(f"claim:{job_id}", worker, nx=True, ex=60):  # error: DC320
        return False
    return True


def rebuild_ledger(account_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [account_id])  # error: DC320
        cursor.execute("DELETE FROM ledger WHERE account_id = %s", [account_id])


def count_visit(page):
    r.incr(f"visits:{page}")  # error: DC320


def first_run(key):
    return cache.add(f"ran:{key}", True, timeout=3600)  # error: DC320


def log_line(message):
    r.set("last-message", message)  # ok: DC320
