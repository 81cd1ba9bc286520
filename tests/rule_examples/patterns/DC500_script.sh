# path: bin/start-worker.sh
#!/bin/sh
# celery -A shop worker -c 16   (old way, kept for reference)  # ok: DC500
exec dramatiq shop.tasks --processes 4 --threads 1  # error: DC500
