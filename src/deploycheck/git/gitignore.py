"""Which of deploycheck's own files the repository's ignore rules would keep out of git.

Many repositories ignore every dotfile (`.*` in .gitignore), and so `.deploycheck/` too: a plain
`git add` of a record or of the configuration then fails. Those files are meant to be tracked,
so deploycheck adds exactly its own paths with `git add --force`, and says so; this module finds
out beforehand which paths need it, and which ignore rule is the cause.
"""

from __future__ import annotations

from . import gitcmd


def ignored(root: str, paths: list[str]) -> dict[str, str]:
    """``{path: "SOURCE:LINE: PATTERN"}`` for each of ``paths`` (repository-relative, need not
    exist) that git would refuse to add without --force. Tracked files are never ignored."""
    if not paths:
        return {}
    data = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
    proc = gitcmd.run(["check-ignore", "-v", "-z", "--stdin"], root, check=False, input=data)
    if proc.returncode not in (0, 1):
        return {}  # git cannot tell (an old git, a broken repository): plain `git add` will say
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    out = {}
    # -z -v output: SOURCE NUL LINENUM NUL PATTERN NUL PATHNAME NUL, per path.
    for i in range(0, len(fields) - 3, 4):
        source, line, pattern, path = fields[i : i + 4]
        if source and not pattern.startswith("!"):
            out[path] = f"{source}:{line}: {pattern}"
    return out


def force_note(rule: str) -> str:
    return (
        f"your ignore rules exclude deploycheck's files ({rule}); they are meant to be tracked, so "
        "they are added with `git add --force`, naming exactly deploycheck's own paths"
    )
