# path: app/views.py
"""django-q's schedule() hands work to the cluster like async_task(); a method named schedule
does not."""
from django_q.tasks import async_task, schedule


def plan(request, calendar):
    async_task("app.jobs.recount", request.user.pk)  # error: DC103[info]
    schedule("app.jobs.nightly", schedule_type="D")  # error: DC103[info]
    calendar.schedule("standup", at="09:00")  # ok: DC103
