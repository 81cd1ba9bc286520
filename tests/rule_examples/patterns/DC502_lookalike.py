# path: shop/reports.py
def describe(settings):
    """Set worker_concurrency = 8 to go faster."""  # ok: DC502
    # worker_concurrency = 4  # ok: DC502
    if settings.worker_concurrency == 1:  # ok: DC502
        return "serial"
    visibility = "visibility_timeout"  # ok: DC503
    routes = describe_routes("task_routes")  # ok: DC504
    schedule = {"schedule": 5}  # ok: DC505
    return f"worker_concurrency: {settings.worker_concurrency}"  # ok: DC502
