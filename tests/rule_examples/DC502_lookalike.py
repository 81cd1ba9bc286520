# path: shop/reports.py
def describe(settings):
    """Set worker_concurrency = 8 to go faster."""  # ok: DC502
    # worker_concurrency = 4  # ok: DC502
    if settings.worker_concurrency == 1:  # ok: DC502
        return "serial"
    return f"worker_concurrency: {settings.worker_concurrency}"  # ok: DC502
