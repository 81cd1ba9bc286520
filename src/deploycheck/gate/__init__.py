"""The gate: its pure decision (``decision``), its inputs gathered from git with all trust
from the base ref (``verification``), reviewers' co-signatures and the pull request's own words.
"""
