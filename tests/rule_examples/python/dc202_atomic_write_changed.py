# path: accounts/signup.py
from django.db.models import F

from sqlalchemy import update

from .models import Order, Profile, Product, Relation, Tag, UpdateLog, orders


def create_profile(user):
    profile, _ = Profile.objects.get_or_create(user=user)  # error: DC202[warning]
    return profile


def sell(product_id, quantity):
    Product.objects.filter(pk=product_id).update(sold=F("sold") + quantity)  # error: DC202


def lookup(user):
    return Profile.objects.filter(user=user).first()


def tag(name):
    tag, _ = Tag.objects.get_or_create(name=name)  # ok: DC202
    return tag


def submit(payment, client, key):
    return client.post("/payments", json=payment, headers={"Idempotency-Key": key})  # error: DC202


def relations(issue_id):
    return Relation.objects.filter(issue_id=issue_id).values(  # ok: DC202 (a Django projection reads)
        "relation_type", "issue_id", project_id=F("issue__project_id"))


def close(conn, order_id):
    conn.execute(orders.update().where(orders.c.id == order_id).values(closed=orders.c.closed + 1))  # error: DC202


def close_statement(session, order_id):
    session.execute(update(Order).filter(Order.id == order_id).values(closed=Order.closed + 1))  # error: DC202 (SQLAlchemy's filter() is where(): an UPDATE, not a queryset)


def close_built(session, order_id):
    stmt = update(Order)
    session.execute(stmt.filter(Order.id == order_id).values(closed=Order.closed + 1))  # error: DC202 (the statement the variable holds is an UPDATE)


def update_log(issue_id):
    return UpdateLog.objects.filter(issue_id=issue_id).values(pid=F("issue__project_id"))  # ok: DC202 (a model, not update())


def related(issue_id):
    rows = Relation.objects.filter(issue_id=issue_id)
    return rows.order_by("id").values(pid=F("issue__project_id"))  # ok: DC202 (the variable holds a queryset)
