# path: Dockerfile.worker
FROM python:3.12
# error: DC512
ENV WEB_CONCURRENCY=3
# error: DC500
CMD ["celery", "-A", "shop", "worker", "--pool", "gevent", "--concurrency", "100"]
# ok: DC500
RUN pip install --no-cache-dir -r requirements.txt && make -j 4
