# path: accounts/signup.py
from sqlalchemy import update

from .models import Order, Profile, Product, Relation, orders


def create_profile(user):
    return Profile.objects.create(user=user)


def sell(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.sold = product.sold + quantity
    product.save()


def lookup(user):
    return Profile.objects.filter(user=user).first()


def relations(issue_id):
    return Relation.objects.filter(issue_id=issue_id).values("relation_type", "issue_id")


def close(conn, order_id):
    conn.execute(orders.update().where(orders.c.id == order_id).values(state="closed"))


def close_statement(session, order_id):
    session.execute(update(Order).filter(Order.id == order_id).values(state="closed"))


def close_built(session, order_id):
    stmt = update(Order)
    session.execute(stmt.filter(Order.id == order_id).values(state="closed"))
