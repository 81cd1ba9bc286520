"""Leaf helpers every part may use (plain data classes, inert terminal text, cache files,
the safe YAML loader, the two-process split). They import nothing else from deploycheck.
"""
