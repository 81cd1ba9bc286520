"""The Python rule family: job/queue context (DC1xx), concurrency control changed (DC2xx),
hazards and removed safeguards (DC3xx) and migrations (DC4xx).

The detectors live in the other modules of ``rules/python``; this module only gathers them for the registry. Every
detector shares one parse per side of a file through ``FileContext.cache`` (``source``).
"""

from __future__ import annotations

from . import hazards, jobs, migrations, safeguards

_MODULES = (jobs, safeguards, hazards, migrations)

RULES = tuple(rule for module in _MODULES for rule in module.RULES)
DETECTORS = tuple(detector for module in _MODULES for detector in module.DETECTORS)
