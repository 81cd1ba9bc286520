# path: monitor/alerts.py
"""A compare-and-set built on an earlier line, replaced by save() (base: dc320_conditional_update_by_name.base.py)."""
from .models import Check


def mark_down(check):
    check.status = "down"
    check.save()
    return True


def touch(check, when):
    check.last_ping = when
    check.save()
