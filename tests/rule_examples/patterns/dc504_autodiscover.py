# path: proj/celeryconf.py
from celery import Celery

app = Celery("proj")
app.autodiscover_tasks()  # ok: DC504 (unchanged)
app.autodiscover_tasks(  # error: DC504 (the workers now register the tasks of another module)
    packages=["proj.checkout.migrations.tasks"],
    related_name="tasks_3_21",
)
