"""Ruby, JavaScript/TypeScript, Go, Java/Kotlin and Lua read as syntax trees (tree-sitter).

The family's gates keep it cheap: ``may_analyse`` admits only non-test files of these
languages (a dict lookup; for a file without an extension, its `#!` line), and ``may_report``
(rules/trees/keywords.py) only those whose text names a job API, that sit in a job system's
repository, in `job_paths` or a job folder (`app/jobs/`, `workers/`), that hold a Redis script,
or whose repository has job code elsewhere that may call them. Only then is ``detect`` imported
and tree-sitter loaded. See docs/design-notes.md for the choice of parser.
"""

from __future__ import annotations

from .keywords import _PRIMITIVE_HINTS, may_report, reads_itself  # noqa: F401 - the family's gates
from .langs import language_of_file


def __getattr__(name: str):
    # The rules' documentation is read only by the registry (`deploycheck rules`, the record), not
    # by a scan that the gates turn away: importing it would cost a git hook its text.
    if name == "RULES":
        from .rules import RULES

        return RULES
    raise AttributeError(name)


def may_analyse(ctx) -> bool:
    if language_of_file(ctx) is None:
        return False
    from ..paths import is_test_or_doc

    return not is_test_or_doc(ctx.path)


def _detect(ctx):
    from .detect import detect

    return detect(ctx)


DETECTORS = (_detect,)
