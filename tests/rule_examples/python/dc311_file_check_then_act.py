# path: exports/tasks.py
import os
from pathlib import Path

from celery import shared_task

EXPORT_DIR = Path("/srv/exports")


# error: DC101[warning]
@shared_task
def export_report(day):
    path = EXPORT_DIR / f"{day}.csv"
    if not path.exists():  # error: DC311[high]
        path.write_text(render(day))


# error: DC101[warning]
@shared_task
def clear_marker(name):
    if os.path.exists(name):  # error: DC311
        os.remove(name)


# error: DC101[warning]
@shared_task
def export_report_exclusive(day):
    path = EXPORT_DIR / f"{day}.csv"
    if path.exists():  # ok: DC311
        return
    try:
        with open(path, "x") as fh:
            fh.write(render(day))
    except FileExistsError:
        pass


def export_by_hand(day):
    path = EXPORT_DIR / f"{day}.csv"
    if not path.exists():  # ok: DC311
        path.write_text(render(day))


def render(day):  # error: DC104[warning]
    return f"report for {day}\n"
