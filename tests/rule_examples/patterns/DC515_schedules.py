# path: app/schedule.py
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from huey import crontab
from huey.contrib.djhuey import periodic_task

scheduler = BackgroundScheduler()
scheduler.add_job(sync_stock, "interval", minutes=1)  # error: DC515, DC103
scheduler.add_job(send_digest, CronTrigger(hour=7))  # error: DC515, DC103
scheduler.add_job(cleanup, id="cleanup")  # ok: DC515  # error: DC103


@periodic_task(crontab(minute="*/5"))  # ok: DC515  # error: DC101
def expire_holds():
    pass
