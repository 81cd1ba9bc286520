"""The `deploycheck demo` project: the shop whose refactor loses updates, and its reproduction.
"""
