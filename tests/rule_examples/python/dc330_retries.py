# path: billing/tasks.py
import requests
from celery import shared_task
from django.core.mail import send_mail

from .models import Order

PAYMENTS_URL = "https://payments.example.com/charges"


@shared_task(autoretry_for=(requests.RequestException,), max_retries=5)  # error: DC330[warning], DC101[warning], DC515
def charge_order(order_id):
    order = Order.objects.get(pk=order_id)
    requests.post(PAYMENTS_URL, json={"order": order_id, "amount": order.total})


@shared_task(bind=True)  # error: DC101[warning]
def send_invoice(self, order_id):
    try:
        send_mail("Your invoice", "…", "billing@example.com", [Order.objects.get(pk=order_id).email])
    except ConnectionError as exc:
        raise self.retry(exc=exc)  # error: DC330


@shared_task(max_retries=3)  # ok: DC330  # error: DC101[warning], DC515
def refresh_rates():
    return requests.get("https://rates.example.com/today").json()


@shared_task(autoretry_for=(requests.RequestException,))  # ok: DC330  # error: DC101[warning], DC515
def notify(order_id, key):
    requests.post(PAYMENTS_URL + "/notify", json={"order": order_id}, headers={"Idempotency-Key": key})
