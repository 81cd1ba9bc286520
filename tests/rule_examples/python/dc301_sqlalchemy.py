# path: billing/ledger.py
from sqlalchemy import select

from .models import Account


def credit_locked(session, account_id, amount):
    account = session.execute(select(Account).where(Account.id == account_id).with_for_update()).scalar_one()  # error: DC201
    account.balance = account.balance + amount  # ok: DC301
    session.commit()


def credit_column_expression(session, account_id, amount):
    session.query(Account).filter(Account.id == account_id).update({Account.balance: Account.balance + amount})  # ok: DC301  # error: DC202
    session.commit()


def credit(session, account_id, amount):
    account = session.query(Account).filter(Account.id == account_id).one()
    account.balance += amount  # error: DC301
    session.flush()
