# path: shop/reports.py
# A "workers" key in a file that does not configure Huey is not a Huey setting.
EXPORT = {"workers": 4, "worker_type": "process"}  # ok: DC514
