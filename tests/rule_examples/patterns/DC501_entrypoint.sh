#!/bin/sh
# path: docker/worker-entrypoint.sh
celery -A shop worker -Q emails,reports,invoices --concurrency 4 &  # error: DC501[warning]
celery -A shop worker --loglevel WARNING &  # error: DC501[warning]
rq worker high default --verbose &  # ok: DC501
wait
