"""Go: a change in a function that retries database transactions (DC712).

A function that both runs a retry loop (a `for` whose header names a retry budget or an attempt
count, or a call to a retry helper such as `crdb.ExecuteInTx`, `retry.Do`, `backoff.Retry`) and
opens, commits or rolls back a transaction decides which transactions run their callback again
after a serialization failure, how often, and in what isolation. Requests and workers alike go
through it: a changed line there changes how concurrent writers are reconciled, whether or not
the code is a job.
"""

from __future__ import annotations

from .keywords import RETRY_WORDS  # a loop header's words (lower case) that make it a retry loop
from .parse import Parsed

# The last name of calls that retry what they are given.
_RETRY_HELPERS = frozenset({"ExecuteInTx", "ExecuteTx", "ExecuteInTxx", "RetryTx"})
# The last name of calls that open, commit or roll back a database transaction.
TX_CALLS = frozenset({
    "Transaction", "NewTransaction", "NewTransactionContext", "NewTransactionContextOptions", "BeginTx", "Begin",
    "Beginx", "BeginTxx", "Commit", "Rollback", "ExecuteInTx", "ExecuteTx", "RunInTx", "RunInTransaction", "WithTx",
    "InTx", "Transact", "TxPipelined",
})
_FUNCTIONS = ("function_declaration", "method_declaration")


def _callee(call, p: Parsed) -> str:
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    if fn.type == "selector_expression":
        field = fn.child_by_field_name("field")
        return p.text(field) if field is not None else ""
    return p.text(fn)


def _header(loop, p: Parsed) -> str:
    """A `for` statement's text before its body: the clause, the range or the condition."""
    body = loop.child_by_field_name("body")
    end = body.start_byte if body is not None else loop.end_byte
    return p.source[loop.start_byte:end].decode("utf-8", "replace")


def evidence(function, p: Parsed) -> tuple[str, str] | None:
    """(the retry, the transaction call) that make ``function`` a transaction retrier, or None."""
    retry = tx = ""
    stack = [function]
    while stack:
        n = stack.pop()
        if "comment" in n.type or "string" in n.type:
            continue
        if n.type == "for_statement" and not retry:
            header = _header(n, p)
            if any(w in header.lower() for w in RETRY_WORDS):
                retry = f"the loop `{' '.join(header.split())}`"
        elif n.type == "call_expression":
            name = _callee(n, p)
            if not retry and (name in _RETRY_HELPERS or "retry" in name.lower()):
                retry = f"the call `{name}`"
            if not tx and name in TX_CALLS:
                tx = name
        stack.extend(n.children)
    return (retry, tx) if retry and tx else None


def retried_changes(head: Parsed, lines: dict[int, str], code_rows: set[int]) -> list[tuple[int, int, str]]:
    """(first line, last line, message) per top-level Go function that retries transactions and
    holds changed code (``code_rows``: the changed lines that are not only comments or blanks)."""
    out: list[tuple[int, int, str]] = []
    for function in head.root.children:
        if function.type not in _FUNCTIONS:
            continue
        rows = [r for r in range(function.start_point[0] + 1, function.end_point[0] + 2) if r in lines and r in code_rows]
        if not rows:
            continue
        found = evidence(function, head)
        if found is None:
            continue
        retry, tx = found
        name = function.child_by_field_name("name")
        label = head.text(name) if name is not None else "(function)"
        out.append((rows[0], rows[-1],
                    f"`{label}` retries database transactions ({retry}, around `{tx}`): a change here decides which "
                    "transactions run their callback again after a serialization failure or conflict, how often and "
                    "at which isolation. Say what a callback does twice when it is retried (work outside the "
                    "database, counters carried across attempts), and test two writers at once."))
    return out
