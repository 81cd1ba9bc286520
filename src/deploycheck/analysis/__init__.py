"""The analysis pipeline: the change scanned by every rule (``scan``), its fingerprint, and
``pipeline.analyse``, which every command and hook runs to get a ``Context``.
"""
