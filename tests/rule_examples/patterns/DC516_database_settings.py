# path: hc/settings.py
import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DB_NAME", "hc.sqlite"),
        "OPTIONS": {
            "timeout": 20,
            "init_command": "PRAGMA busy_timeout = 5000;",  # error: DC516
            "transaction_mode": "IMMEDIATE",  # error: DC516
        },
        "CONN_MAX_AGE": 600,  # error: DC516
        "ATOMIC_REQUESTS": True,  # error: DC516
    }
}
DEBUG = True  # ok: DC516
