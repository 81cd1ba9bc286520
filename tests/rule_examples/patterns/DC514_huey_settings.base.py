# path: shop/settings.py
INSTALLED_APPS = ["huey.contrib.djhuey", "shop"]

HUEY = {
    "huey_class": "huey.RedisHuey",
    "name": "shop",
    "immediate": False,
    "consumer": {
        "workers": 1,  # ok: DC514
        "worker_type": "thread",
    },
}
