# -*- coding: utf-8 -*-
# path: inventory/helpers.py
# A byte-order mark and a coding declaration: Python reads this file, and so does deploycheck.
import threading

CACHE = {}


def remember(key, value):  # ok: DC001  # error: DC104[warning]
    CACHE[key] = value
