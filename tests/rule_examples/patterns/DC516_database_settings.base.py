# path: hc/settings.py
import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DB_NAME", "hc.sqlite"),
        "OPTIONS": {"timeout": 20},
    }
}
DEBUG = False
