# path: deploy/run-workers.sh
#!/bin/sh
# Each worker's concurrency flag, as a deploy script starts them.
gunicorn shop.wsgi --workers 4 --threads 2 &  # error: DC500
rq worker-pool high default -n 3 &  # error: DC500
huey_consumer shop.huey -w 4 -k thread &  # error: DC500
celery -A shop worker --autoscale=10,3 &  # error: DC500
celery -A shop beat &  # ok: DC500
python manage.py migrate  # ok: DC500
