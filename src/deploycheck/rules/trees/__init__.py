"""Ruby, JavaScript/TypeScript, Go, Java/Kotlin and Lua read as syntax trees (tree-sitter).

The family's gates keep it cheap: ``may_analyse`` admits only non-test files of these
languages (a dict lookup; for a file without an extension, its `#!` line), and ``may_report``
only those whose text names a job API, that sit in a job system's repository, in `job_paths`
or a job folder (`app/jobs/`, `workers/`), that hold a Redis script (rules/trees/keywords.py),
or whose repository has job code elsewhere and another file that names one of their functions
(rules/trees/naming.py). Only then is ``detect`` imported and tree-sitter loaded. See docs/design-notes.md for the choice of parser.
"""

from __future__ import annotations

from .keywords import (_PRIMITIVE_HINTS, at_once_hints, channel_hints, check_act_hints, db_function_hints, floating_hints, guard_hints,  # noqa: F401 - the family's gates
                       go_producer_hints, jobs_elsewhere, js_lock_hints, js_producer_hints, listener_hints, loaded_by_a_job, lock_hints, lock_wrapper_hints, timer_hints, reads_itself, retry_hints,
                       pool_hints, scheduled_folder, shutdown_hints, singleton_hints, tunable_hints)
from .langs import is_sql_file, language_of_file


def __getattr__(name: str):
    # The rules' documentation is read only by the registry (`deploycheck rules`, the record), not
    # by a scan that the gates turn away: importing it would cost a git hook its text.
    if name == "RULES":
        from .rules import RULES

        return RULES
    raise AttributeError(name)


def may_report(ctx) -> bool:
    if reads_itself(ctx) or guard_hints(ctx) or singleton_hints(ctx) or shutdown_hints(ctx) or retry_hints(ctx) \
            or db_function_hints(ctx) or check_act_hints(ctx) or js_producer_hints(ctx) or floating_hints(ctx) \
            or go_producer_hints(ctx) or tunable_hints(ctx) or pool_hints(ctx) or loaded_by_a_job(ctx) or lock_hints(ctx) or js_lock_hints(ctx) \
            or channel_hints(ctx) or scheduled_folder(ctx) or timer_hints(ctx) or lock_wrapper_hints(ctx) or at_once_hints(ctx) \
            or listener_hints(ctx):
        return True
    from .naming import named_elsewhere, producer_hints

    if producer_hints(ctx):
        return True
    language = language_of_file(ctx)
    if language is None or not jobs_elsewhere(ctx, language):
        return False
    # A file read only for what a job elsewhere reaches of it: when no other file names one of
    # its functions, no trail can reach it, and neither the parser nor the search is needed.
    return named_elsewhere(ctx, language)


def may_analyse(ctx) -> bool:
    if language_of_file(ctx) is None and not is_sql_file(ctx.path):
        return False
    from ..paths import is_test_or_doc

    return not is_test_or_doc(ctx.path)


def _detect(ctx):
    from .detect import detect

    return detect(ctx)


DETECTORS = (_detect,)
