# path: shop/settings.py
INSTALLED_APPS = ["huey.contrib.djhuey", "shop"]

HUEY = {
    "huey_class": "huey.RedisHuey",
    "name": "shop-orders",  # ok: DC514
    "immediate": False,
    "consumer": {
        "workers": 8,  # error: DC514[warning]
        "worker_type": "process",  # error: DC514
    },
}
