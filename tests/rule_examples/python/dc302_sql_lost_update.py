# path: payments/ledger.py
from django.db import connection


def debit(account_id, amount):
    with connection.cursor() as cursor:
        cursor.execute("SELECT balance FROM accounts WHERE id = %s", [account_id])  # error: DC302
        balance = cursor.fetchone()[0]
        cursor.execute("UPDATE accounts SET balance = %s WHERE id = %s", [balance - amount, account_id])


def debit_relative(account_id, amount):
    with connection.cursor() as cursor:
        cursor.execute("SELECT balance FROM accounts WHERE id = %s", [account_id])  # ok: DC302
        if cursor.fetchone()[0] < amount:
            raise ValueError("insufficient funds")
        cursor.execute(  # error: DC202
            "UPDATE accounts SET balance = balance - %s WHERE id = %s AND balance >= %s",  # ok: DC302
            [amount, account_id, amount],
        )


def debit_locked(account_id, amount):
    with connection.cursor() as cursor:
        cursor.execute("SELECT balance FROM accounts WHERE id = %s FOR UPDATE", [account_id])  # ok: DC302  # error: DC201
        balance = cursor.fetchone()[0]
        cursor.execute("UPDATE accounts SET balance = %s WHERE id = %s", [balance - amount, account_id])


def debit_compare_and_set(account_id, amount):
    with connection.cursor() as cursor:
        cursor.execute("SELECT balance FROM accounts WHERE id = %s", [account_id])  # ok: DC302
        balance = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE accounts SET balance = %s WHERE id = %s AND balance = %s",
            [balance - amount, account_id, balance],
        )
