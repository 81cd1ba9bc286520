#!/bin/sh
# path: docker/worker-entrypoint.sh
celery -A shop worker -Q emails,reports --concurrency 4 &
celery -A shop worker -B --loglevel INFO &
rq worker high default &
wait
