"""The pattern-pack family: YAML packs of line patterns (``packs/``) run by ``engine``, with
structural ``checks`` in Python, a lexer (``lex``) and the packs compiled ahead (``cache``).
"""
