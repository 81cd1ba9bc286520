#!/bin/sh
# path: deploy/run-worker.sh
set -e
exec celery -A shop worker --loglevel info --concurrency \
  8  # error: DC500
