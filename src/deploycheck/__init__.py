"""deploycheck: make concurrency review of background-job changes impossible to skip."""

__version__ = "0.1.0"
