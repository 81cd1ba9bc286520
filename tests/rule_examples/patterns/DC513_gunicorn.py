# path: gunicorn.conf.py
bind = "0.0.0.0:8000"
workers = 4  # error: DC513
worker_class = "gevent"  # error: DC513
timeout = 30  # ok: DC513
