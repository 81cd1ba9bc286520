# path: shop/services.py
"""Read-modify-write through the ORM: every form below loses updates under concurrency."""
from celery import shared_task
from django.shortcuts import get_object_or_404
from sqlalchemy.orm import Session

from .models import Account, Coupon, Order, Product, Wallet


# error: DC101[warning]
@shared_task
def refund(order_id, amount):
    order = Order.objects.get(pk=order_id)
    order.refunded -= amount  # error: DC301
    order.save(update_fields=["refunded"])


def redeem(request, code):
    coupon = get_object_or_404(Coupon, code=code)
    remaining = coupon.uses_left
    remaining = remaining - 1
    coupon.uses_left = remaining  # error: DC301
    coupon.save()


def restock_all(delta):
    products = []
    for product in Product.objects.filter(active=True):
        product.stock += delta  # error: DC301
        products.append(product)
    Product.objects.bulk_update(products, ["stock"])


def add_points(session: Session, account_id, points):
    account = session.get(Account, account_id)
    account.points = compute_points(account.points, points)  # error: DC301
    session.commit()


def tag_order(order_id, tag):
    order = Order.objects.filter(pk=order_id).first()
    order.metadata["tags"] += [tag]  # error: DC301
    order.save()


async def top_up(wallet_id, amount):
    wallet = await Wallet.objects.aget(pk=wallet_id)
    wallet.balance = wallet.balance + amount  # error: DC301
    await wallet.asave()


def close_lines(order):
    for line in order.lines.filter(open=True):
        line.shipped += line.pending  # error: DC301
        line.save()


def compute_points(current, extra):
    return current + extra


@shared_task  # error: DC101[warning]
def count_ping(flip_id):
    flip = Flip.objects.get(pk=flip_id)
    check = flip.owner  # a related object: loaded, unlocked, when the attribute is read
    check.n_pings = check.n_pings + 1  # error: DC301[high]
    check.save()
