"""Which languages are read as syntax trees, and how their grammars are loaded.

Grammars are imported only when a file of that language passed the family's pre-filter
(``gate``), so a change without such files never loads tree-sitter at all.
"""

from __future__ import annotations

from functools import lru_cache

# extension -> language name (one grammar each; .tsx and .jsx need the JSX-aware grammars)
EXTENSIONS = {
    ".rb": "ruby", ".rake": "ruby",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin",
    ".lua": "lua",
}

# The language's grammar package and the function returning its language pointer.
_GRAMMARS = {
    "ruby": ("tree_sitter_ruby", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "kotlin": ("tree_sitter_kotlin", "language"),
    "lua": ("tree_sitter_lua", "language"),
}


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot:].lower())


@lru_cache(maxsize=None)
def parser_for(language: str):
    """A tree-sitter parser for ``language`` (imports the grammar on first use)."""
    from importlib import import_module

    import tree_sitter

    module, function = _GRAMMARS[language]
    return tree_sitter.Parser(tree_sitter.Language(getattr(import_module(module), function)()))
