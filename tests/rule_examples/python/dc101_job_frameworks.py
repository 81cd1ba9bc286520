# path: app/background.py
"""One job per framework. Each is new, so each is a warning (a new job always needs the checklist)."""
import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler
from celery import Task, shared_task
from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver
from huey.contrib.djhuey import db_task, periodic_task
from rq.decorators import job

from .celery import app
from .models import Order, Report

scheduler = BackgroundScheduler()


@app.task(bind=True)  # error: DC101[warning]
def close_order(self, order_id):
    Order.objects.filter(pk=order_id).update(closed=True)


@shared_task  # error: DC101[warning]
def add(x, y):
    return x + y


@job("default")  # error: DC101[warning]
def rebuild_report(report_id):
    Report.objects.get(pk=report_id).delete()


@dramatiq.actor(max_retries=0)  # error: DC101[warning], DC515
def warm_cache(key):
    cache.set(key, compute(key))


@db_task()  # error: DC101[warning]
def log_event(name):
    print(name)


@periodic_task(crontab(minute="*/5"))  # error: DC101[warning]
def purge():
    Order.objects.filter(stale=True).delete()


@scheduler.scheduled_job("interval", minutes=1)  # error: DC101[warning]
def heartbeat():
    return "ok"


@receiver(post_save, sender=Order)  # error: DC101[warning]
def order_saved(sender, instance, created, **kwargs):
    Report.objects.create(order=instance)


class SyncTask(Task):
    name = "sync"

    def run(self, order_id):  # error: DC101[warning]
        Order.objects.filter(pk=order_id).update(synced=True)


def compute(key):  # error: DC104[warning]
    return key.upper()


def crontab(minute):
    return minute
