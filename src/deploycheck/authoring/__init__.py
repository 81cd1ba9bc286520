"""The author's side: the interactive walkthrough and its prompts, answer drafts, and
``assess``, which turns answers into a signed record on disk.
"""
