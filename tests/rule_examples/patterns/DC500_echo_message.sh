# path: bin/start.sh
#!/bin/sh
# A flag counts only on the worker's own command line or its continuation, never in a message.
celery -A shop worker -c 2 &  # error: DC500
echo "use --concurrency 8 in production"  # ok: DC500
printf '%s\n' "celery -A shop worker -c 16"  # ok: DC500
echo "starting workers" && celery -A shop worker --concurrency 4 &  # error: DC500
dramatiq shop.tasks \
  --processes 2 --threads 4  # error: DC500
python manage.py import_catalog --threads 8  # ok: DC500
