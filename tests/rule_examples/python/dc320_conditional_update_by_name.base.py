# path: monitor/alerts.py
"""A compare-and-set built on an earlier line, replaced by save() (head: dc320_conditional_update_by_name.py)."""
from .models import Check


def mark_down(check):
    old_status = check.status
    q = Check.objects.filter(id=check.id, status=old_status)
    updated = q.update(status="down")  # error: DC320[high]
    if updated != 1:
        return False  # another worker got there first
    return True


def touch(check, when):
    q = Check.objects.filter(id=check.id)
    q.update(last_ping=when)  # error: DC320[high]
