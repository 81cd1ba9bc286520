# path: app/meetings.py
"""A schedule() that is not django-q's enqueues nothing and makes nothing a job."""
from .calendar import schedule
from .models import Meeting


def remind(meeting_id):  # ok: DC101
    Meeting.objects.filter(pk=meeting_id).update(reminded=True)


def plan(request):
    schedule(remind, at="09:00")  # ok: DC103
