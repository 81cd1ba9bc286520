# path: accounts/signup.py
from django.db.models import F

from .models import Profile, Product, Relation, Tag, orders


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
