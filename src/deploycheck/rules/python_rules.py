"""The Python rule family: job/queue context (DC1xx), concurrency control changed (DC2xx),
hazards and removed safeguards (DC3xx) and migrations (DC4xx).

The detectors live in ``py_*`` modules; this module only gathers them for the registry. Every
detector shares one parse per side of a file through ``FileContext.cache`` (``py_source``).
"""

from __future__ import annotations

from . import py_hazards, py_jobs, py_migrations, py_safeguards

_MODULES = (py_jobs, py_safeguards, py_hazards, py_migrations)

RULES = tuple(rule for module in _MODULES for rule in module.RULES)
DETECTORS = tuple(detector for module in _MODULES for detector in module.DETECTORS)
