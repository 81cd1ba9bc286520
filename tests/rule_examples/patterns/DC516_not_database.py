# path: app/limits.py
# No database configuration in this file: these names mean something else here.
pool_size = 8  # ok: DC516
lock_timeout = 30  # ok: DC516
