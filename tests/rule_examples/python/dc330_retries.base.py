# path: billing/tasks.py
import requests
from celery import shared_task
from django.core.mail import send_mail

from .models import Order

PAYMENTS_URL = "https://payments.example.com/charges"


@shared_task
def charge_order(order_id):
    order = Order.objects.get(pk=order_id)
    requests.post(PAYMENTS_URL, json={"order": order_id, "amount": order.total})


@shared_task
def send_invoice(order_id):
    send_mail("Your invoice", "…", "billing@example.com", [Order.objects.get(pk=order_id).email])


@shared_task
def refresh_rates():
    return requests.get("https://rates.example.com/today").json()


@shared_task
def notify(order_id, key):
    requests.post(PAYMENTS_URL + "/notify", json={"order": order_id}, headers={"Idempotency-Key": key})
