"""Git hooks on a fast path that never loads Typer, Click, Rich or dataclasses: the push
hook's verdict (``fast``), the pushed range (``range``) and the commit warning (``warn``).
"""
