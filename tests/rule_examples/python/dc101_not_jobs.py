# path: app/views.py
"""Plain code, no job, no hazard: nothing is flagged, whatever the names say."""
from .models import Order


def update_order(request, order_id):
    order = Order.objects.get(pk=order_id)  # ok: DC101
    order.note = request.POST["note"]  # ok: DC301
    order.save()
    return order


def describe(task, queue, worker):
    """Describe a task: it is saved to the queue and picked up by a worker (`task.delay()`)."""
    message = f"{task} -> {queue} ({worker}); call .delay() or .apply_async()"  # ok: DC103
    # task.delay(); queue.enqueue(job)   # ok: DC103
    return message
